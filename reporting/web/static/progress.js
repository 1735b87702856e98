// Follow a check or a build: ask the server how far it has got (it answers when the work ends, or
// after a second), show it, then go to the findings or the results.
(function () {
  var box = document.querySelector("[data-progress]");
  if (!box) { return; }
  var bar = document.getElementById("bar"), stage = document.getElementById("stage"),
      count = document.getElementById("count"), said = "";
  function poll() {
    fetch(box.getAttribute("data-status") + "?wait=1", {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.next) { window.location.assign(status.next); return; }
        stage.textContent = (status.stage || "Starting") + "…";
        if (status.total) {
          bar.max = status.total; bar.value = status.done;
          var text = status.done + " of " + status.total + " done.";
          if (text !== said) { count.textContent = text; said = text; }
        }
        window.setTimeout(poll, 100);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
