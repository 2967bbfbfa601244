package io.starlet.bench.pages;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.validation.Valid;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.util.WebUtils;

/**
 * The pages under load: a paged list (two queries, about 15 KB of HTML with a hundred links),
 * an owner's detail (two queries; remembers the owner in the session), an edit form that
 * validates and redirects, and a JSON list of about 5 KB.
 */
@Controller
class OwnerController {

	static final String RECENT = "recentOwners";

	private static final int PAGE_SIZE = 50;

	private static final int JSON_SIZE = 40;

	private final OwnerRepository owners;

	private final PetRepository pets;

	OwnerController(OwnerRepository owners, PetRepository pets) {
		this.owners = owners;
		this.pets = pets;
	}

	/** Every page's sidebar: owners recently viewed in this session, if there is one. */
	@ModelAttribute("recent")
	List<Recent> recent(HttpServletRequest request) {
		HttpSession session = request.getSession(false);
		if (session == null) {
			return List.of();
		}
		@SuppressWarnings("unchecked")
		List<Recent> recent = (List<Recent>) session.getAttribute(RECENT);
		return (recent != null) ? recent : List.of();
	}

	@GetMapping("/")
	String home() {
		return "redirect:/owners";
	}

	@GetMapping("/owners")
	String list(@RequestParam(defaultValue = "0") int page, Model model) {
		Page<Owner> owners = this.owners.findAll(PageRequest.of(page, PAGE_SIZE, Sort.by("lastName", "id")));
		model.addAttribute("owners", owners);
		return "owners/list";
	}

	@GetMapping("/owners/{id}")
	String detail(@PathVariable long id, @RequestParam(required = false) String saved, Model model,
			HttpSession session) {
		Owner owner = find(id);
		model.addAttribute("owner", owner);
		model.addAttribute("pets", this.pets.findByOwnerIdOrderByName(id));
		model.addAttribute("saved", saved != null);
		remember(session, owner);
		return "owners/detail";
	}

	@GetMapping("/owners/{id}/edit")
	String editForm(@PathVariable long id, Model model) {
		model.addAttribute("owner", find(id));
		model.addAttribute("form", OwnerForm.of(find(id)));
		return "owners/form";
	}

	@PostMapping("/owners/{id}/edit")
	@Transactional
	String edit(@PathVariable long id, @Valid @ModelAttribute("form") OwnerForm form, BindingResult result,
			Model model) {
		Owner owner = find(id);
		if (result.hasErrors()) {
			model.addAttribute("owner", owner);
			return "owners/form";
		}
		owner.update(form);
		return "redirect:/owners/" + id + "?saved";
	}

	@GetMapping(path = "/api/owners", produces = "application/json")
	@ResponseBody
	List<OwnerView> json(@RequestParam(defaultValue = "0") int page) {
		return this.owners.findAll(PageRequest.of(page, JSON_SIZE, Sort.by("id")))
			.map((o) -> new OwnerView(o.getId(), o.getFirstName(), o.getLastName(), o.getAddress(), o.getCity(),
					o.getTelephone()))
			.getContent();
	}

	private Owner find(long id) {
		return this.owners.findById(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
	}

	/**
	 * The attribute is an immutable list, replaced on each change: one client loads several pages
	 * of its session at once, and a page that renders the list must never see it half-changed.
	 */
	private static void remember(HttpSession session, Owner owner) {
		synchronized (WebUtils.getSessionMutex(session)) {
			@SuppressWarnings("unchecked")
			List<Recent> before = (List<Recent>) session.getAttribute(RECENT);
			Deque<Recent> recent = (before != null) ? new ArrayDeque<>(before) : new ArrayDeque<>();
			Recent name = new Recent(owner.getId(), owner.getFirstName() + " " + owner.getLastName());
			recent.remove(name);
			recent.addFirst(name);
			while (recent.size() > 5) {
				recent.removeLast();
			}
			session.setAttribute(RECENT, List.copyOf(recent));
		}
	}

	record Recent(long id, String name) implements java.io.Serializable {
	}

	record OwnerView(long id, String firstName, String lastName, String address, String city, String telephone) {
	}

}
