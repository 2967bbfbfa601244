package io.starlet.bench.pages;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A few hundred owners with two or three pets each, the same rows on every server (no random
 * numbers), so that each server renders byte-identical pages. Loaded before the web server starts
 * (not in an ApplicationRunner, which runs after it), so that the first 200 bench/run sees comes
 * from a complete database.
 */
@Component
class SampleData implements SmartInitializingSingleton {

	static final int OWNERS = 300;

	private static final String[] FIRST = { "George", "Betty", "Eduardo", "Harold", "Peter", "Jean", "Jeff", "Maria",
			"David", "Carlos", "Aiko", "Tomasz", "Ingrid", "Olu", "Priya", "Rafael" };

	private static final String[] LAST = { "Franklin", "Davis", "Rodriquez", "McTavish", "Coleman", "Black",
			"Escobito", "Schroeder", "Estaban", "Nakamura", "Kowalski", "Larsen", "Adeyemi", "Raman", "Moreau" };

	private static final String[] STREET = { "Sunset Blvd.", "Lake St.", "Ninth Ave.", "Eagle Way", "Harbour Rd.",
			"Maple Lane", "Orchard Court" };

	private static final String[] CITY = { "Madison", "Sun Prairie", "McFarland", "Windsor", "Monona", "Waunakee",
			"Middleton" };

	private static final String[] PET = { "Leo", "Basil", "Rosy", "Jewel", "Iggy", "George", "Samantha", "Max",
			"Lucky", "Mulligan", "Freddy", "Sly" };

	private static final String[] TYPE = { "cat", "dog", "lizard", "snake", "bird", "hamster" };

	private final OwnerRepository owners;

	private final PetRepository pets;

	private final TransactionTemplate transaction;

	SampleData(OwnerRepository owners, PetRepository pets, PlatformTransactionManager transactions) {
		this.owners = owners;
		this.pets = pets;
		this.transaction = new TransactionTemplate(transactions);
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.transaction.executeWithoutResult((status) -> load());
	}

	private void load() {
		List<Pet> all = new ArrayList<>();
		for (int i = 0; i < OWNERS; i++) {
			Owner owner = this.owners.save(new Owner(FIRST[i % FIRST.length], LAST[(i * 7) % LAST.length],
					(100 + i * 13) + " " + STREET[i % STREET.length], CITY[(i * 3) % CITY.length],
					"608555%04d".formatted(i)));
			for (int p = 0; p < 2 + i % 2; p++) {
				all.add(new Pet(PET[(i + p * 5) % PET.length], TYPE[(i + p) % TYPE.length],
						LocalDate.of(2010 + (i + p) % 14, 1 + i % 12, 1 + (i * 3 + p) % 28), owner));
			}
		}
		this.pets.saveAll(all);
	}

}
