package io.starlet.bench.pages;

import java.time.LocalDate;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

@Entity
class Pet {

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private Long id;

	private String name;

	private String type;

	private LocalDate birthDate;

	@ManyToOne(fetch = FetchType.LAZY)
	private Owner owner;

	protected Pet() {
	}

	Pet(String name, String type, LocalDate birthDate, Owner owner) {
		this.name = name;
		this.type = type;
		this.birthDate = birthDate;
		this.owner = owner;
	}

	public Long getId() {
		return this.id;
	}

	public String getName() {
		return this.name;
	}

	public String getType() {
		return this.type;
	}

	public LocalDate getBirthDate() {
		return this.birthDate;
	}

}
