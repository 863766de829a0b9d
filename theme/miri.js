// "Miri" buttons: on the listings whose point is what other schedules or
// memory orderings can do (their fence says `rust,miri`), a second button
// next to Run runs the code under Miri with a seed the reader picks, through
// the local playground of `cargo book serve`, and shows Miri's verdict:
// the output, a deadlock, a data race or other undefined behaviour.
// Where no local playground answers (a published copy, `mdbook serve`),
// the buttons are not added.
(function () {
    "use strict";
    if (location.protocol.indexOf("http") !== 0) {
        return;
    }
    var blocks = Array.prototype.slice.call(document.querySelectorAll("pre > code.miri"));
    if (blocks.length === 0) {
        return;
    }

    fetch("/playground/miri")
        .then(function (response) {
            if (!response.ok || response.headers.get("x-book-playground") !== "1") {
                return null;
            }
            return response.json();
        })
        .then(function (meta) {
            if (meta) {
                blocks.forEach(function (code) { addButton(code, meta); });
            }
        })
        .catch(function () {});

    function addButton(code, meta) {
        var pre = code.parentNode;
        var bar = document.createElement("div");
        bar.className = "miri-bar";
        var label = document.createElement("label");
        label.textContent = "Miri seed ";
        var seed = document.createElement("input");
        seed.type = "number";
        seed.min = "0";
        seed.value = "0";
        seed.className = "miri-seed";
        label.appendChild(seed);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "miri-run";
        button.textContent = "Run under Miri";
        button.title = "Run this code under Miri with the seed on the left: one schedule " +
            "of the threads, one choice among the values each load may return " +
            "(stops after " + meta.time_limit_s + " s)";
        bar.appendChild(label);
        bar.appendChild(button);
        pre.parentNode.insertBefore(bar, pre.nextSibling);
        button.addEventListener("click", function () { run(pre, seed, meta); });
    }

    function run(pre, seedInput, meta) {
        var result = pre.querySelector(".result");
        if (!result) {
            result = document.createElement("code");
            result.className = "result hljs language-bash";
            pre.appendChild(result);
        }
        result.setAttribute("aria-live", "polite");
        var seed = Math.max(0, parseInt(seedInput.value, 10) || 0);
        result.innerText = "Running under Miri, seed " + seed + "...";
        var controller = new AbortController();
        var timer = setTimeout(function () { controller.abort(); }, (meta.time_limit_s + 10) * 1000);
        fetch("/playground/miri.json", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ code: playground_text(pre), seed: seed }),
            signal: controller.signal
        })
            .then(function (response) { return response.json(); })
            .then(function (answer) {
                result.innerText = answer.result;
            })
            .catch(function (error) {
                result.innerText = "Miri: no answer from the local playground (" + error.message + ")";
            })
            .then(function () { clearTimeout(timer); });
    }
})();
