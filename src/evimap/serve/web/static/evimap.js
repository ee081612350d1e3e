// Progressive enhancement only: every page works without this file.
// Filter forms submit themselves when a choice changes (the button stays for keyboards).
document.querySelectorAll("form.filters select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
