// The one-time link page: the download answers with the file, so the page itself
// does not change. Show the receipt form as the download starts, so the receiving
// DSL can confirm receipt without reloading; the spent button is disabled. Without
// JavaScript, reloading the page shows the form.
document.querySelectorAll("form[data-download]").forEach((form) => {
  form.addEventListener("submit", () => {
    const receipt = document.querySelector("[data-receipt-section]");
    if (receipt) {
      receipt.hidden = false;
    }
    const button = form.querySelector("button");
    window.setTimeout(() => {
      button.disabled = true;
    }, 0);
  });
});
