package io.starlet.bench.pages;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

interface PetRepository extends JpaRepository<Pet, Long> {

	List<Pet> findByOwnerIdOrderByName(Long ownerId);

}
