// The card form of the checkout (no inline scripts). The flow works with real Stripe and
// with localstripe: confirm a SetupIntent with the card Element, ask our server to charge
// it, and only if the bank asks for it, run 3-D Secure with confirmCardPayment.
(function () {
  "use strict";
  var form = document.getElementById("checkout-form");
  if (!form || typeof Stripe === "undefined") { return; }
  // Every word shown comes from the page, in its language (data-words-* on the form).
  var words = form.dataset;
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  var mount = document.getElementById("card-element");
  card.mount(mount);
  // localstripe's stand-in inputs have placeholders but no labels: name them for screen readers.
  Array.prototype.forEach.call(mount.querySelectorAll("input"), function (input) {
    if (!input.getAttribute("aria-label")) {
      var names = { number: words.wordsCardNumber, exp_month: words.wordsExpiryMonth,
        exp_year: words.wordsExpiryYear, cvc: words.wordsSecurityCode, postal_code: words.wordsPostcode };
      input.setAttribute("aria-label", names[input.getAttribute("placeholder")] || input.getAttribute("placeholder"));
    }
  });
  var button = document.getElementById("pay-button");
  var message = document.getElementById("checkout-message");
  var status = document.getElementById("checkout-status");
  var setupSecret = form.dataset.setupSecret;
  // The server's own plain words for decline codes (payments.gateway_types.DECLINE_MESSAGES).
  var plainWords = JSON.parse(document.getElementById("decline-messages").textContent);

  function say(text) { status.textContent = text; }
  function fail(text) {
    message.textContent = text;
    message.hidden = false;
    button.disabled = false;
    say("");
    message.focus && message.setAttribute("tabindex", "-1");
    message.focus();
  }
  function explain(error) {
    if (!error) { return plainWords.card_declined; }
    return plainWords[error.code] || plainWords[error.decline_code] ||
      words.wordsCardNotConfirmed.replace("{reason}", error.message || words.wordsCheckDetails);
  }
  // The Gift Aid declaration (when the page offers one) is part of this form: it goes with
  // the payment and the server records it before taking any money, or stops and says why.
  var giftAid = document.getElementById("gift-aid");
  var giftAidAdded = form.querySelector("[data-gift-aid-added]");
  function showGiftAidErrors(errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".gift-aid-error"), function (old) {
      var input = form.elements[old.dataset.field];
      if (input) { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
      old.parentNode.classList.remove("field--error");
      old.parentNode.removeChild(old);
    });
    Object.keys(errors || {}).forEach(function (name) {
      var input = form.elements[name];
      if (!input || !input.closest) { return; }
      var wrapper = input.closest(".field") || input.parentNode;
      var note = document.createElement("p");
      note.className = "errorlist gift-aid-error";
      note.id = "gift-aid-error-" + name;
      note.dataset.field = name;
      note.textContent = errors[name].join(" ");
      wrapper.classList.add("field--error");
      wrapper.insertBefore(note, input);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
    });
  }
  function pay(setupIntentId) {
    var body = new URLSearchParams(new FormData(form));
    body.set("setup_intent", setupIntentId);
    return fetch(form.action, {
      method: "POST",
      headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      body: body,
      credentials: "same-origin"
    }).then(function (response) { return response.json(); });
  }
  function handle(answer, setupIntentId) {
    if (answer.status === "succeeded" || answer.status === "processing") {
      say(words.wordsReceived);
      window.location.assign(answer.next);
    } else if (answer.status === "requires_action") {
      say(words.wordsBankConfirms);
      stripe.confirmCardPayment(answer.client_secret).then(function (result) {
        if (result.error) { say(words.wordsCheckingBank); }
        return pay(setupIntentId).then(function (again) { handle(again, setupIntentId); });
      });
    } else if (answer.status === "gift_aid_invalid") {
      needFreshSetup = true;  // nothing was charged; the next try confirms the card again
      showGiftAidErrors(answer.errors);
      fail(answer.message);
    } else {
      if (answer.setup_client_secret) { setupSecret = answer.setup_client_secret; }
      if (answer.gift_aid_added && giftAid) {
        showGiftAidErrors({});
        giftAid.disabled = true;
        giftAid.hidden = true;
        giftAidAdded.textContent = answer.gift_aid_added;
        giftAidAdded.hidden = false;
      }
      fail(answer.message || plainWords.card_declined);
    }
  }
  var needFreshSetup = false;
  function freshSetup() {
    if (!needFreshSetup) { return Promise.resolve(setupSecret); }
    return fetch(form.dataset.setupUrl, {
      method: "POST",
      headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      credentials: "same-origin"
    }).then(function (response) { return response.json(); }).then(function (answer) {
      if (!answer.setup_client_secret) { throw new Error("unavailable"); }
      needFreshSetup = false;
      setupSecret = answer.setup_client_secret;
      return setupSecret;
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    message.hidden = true;
    say(words.wordsCheckingCard);
    freshSetup().then(function (secret) {
      return stripe.confirmCardSetup(secret, { payment_method: { card: card } });
    }).then(function (result) {
      if (result.error) {
        needFreshSetup = true;  // a refused card spends this SetupIntent on some servers
        fail(explain(result.error));
        return;
      }
      say(words.wordsTaking);
      var id = result.setupIntent.id;
      return pay(id).then(function (answer) { handle(answer, id); });
    }).catch(function () {
      fail(words.wordsUnavailable);
    });
  });
})();
