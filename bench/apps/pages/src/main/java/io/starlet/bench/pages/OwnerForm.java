package io.starlet.bench.pages;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** The edit form, bound from the POST body and validated with Bean Validation. */
public class OwnerForm {

	@NotBlank
	@Size(max = 40)
	private String firstName;

	@NotBlank
	@Size(max = 40)
	private String lastName;

	@NotBlank
	@Size(max = 80)
	private String address;

	@NotBlank
	@Size(max = 40)
	private String city;

	@Pattern(regexp = "\\d{10}", message = "must be 10 digits")
	private String telephone;

	static OwnerForm of(Owner owner) {
		OwnerForm form = new OwnerForm();
		form.firstName = owner.getFirstName();
		form.lastName = owner.getLastName();
		form.address = owner.getAddress();
		form.city = owner.getCity();
		form.telephone = owner.getTelephone();
		return form;
	}

	public String getFirstName() {
		return this.firstName;
	}

	public void setFirstName(String firstName) {
		this.firstName = firstName;
	}

	public String getLastName() {
		return this.lastName;
	}

	public void setLastName(String lastName) {
		this.lastName = lastName;
	}

	public String getAddress() {
		return this.address;
	}

	public void setAddress(String address) {
		this.address = address;
	}

	public String getCity() {
		return this.city;
	}

	public void setCity(String city) {
		this.city = city;
	}

	public String getTelephone() {
		return this.telephone;
	}

	public void setTelephone(String telephone) {
		this.telephone = telephone;
	}

}
