// "Which of these can this program print?": see tools/verify/src/questions.rs.
//
// Each question is a form the chapter includes from a generated file:
//     <form class="question"> … <div class="question-choice" data-key="can|cannot">
//     a checkbox, its label, and a hidden explanation </div> … Check … </form>
// The key is in the page, so this works from a file and with no network.
// Check shows, for each choice, whether the reader's tick was right, and
// why: the schedules that print it, or why none can. Ticking again hides
// what Check showed, until the next Check.
(function () {
    'use strict';

    function verdict(ticked, right) {
        if (right) {
            return ticked ? 'Right: you ticked it.' : 'Right: you left it unticked.';
        }
        return ticked ? 'Not quite: you ticked it.' : 'Not quite: you left it unticked.';
    }

    function check(form) {
        const choices = Array.from(form.querySelectorAll('.question-choice'));
        let right = 0;
        for (const choice of choices) {
            const box = choice.querySelector('input[type="checkbox"]');
            const feedback = choice.querySelector('.question-feedback');
            const ok = box.checked === (choice.dataset.key === 'can');
            if (ok) {
                right += 1;
            }
            let mark = feedback.querySelector('.question-verdict');
            if (!mark) {
                mark = document.createElement('strong');
                mark.className = 'question-verdict';
                feedback.prepend(mark, ' ');
            }
            mark.textContent = verdict(box.checked, ok);
            choice.classList.toggle('question-right', ok);
            choice.classList.toggle('question-wrong', !ok);
            feedback.hidden = false;
        }
        form.querySelector('.question-result').textContent =
            right === choices.length
                ? 'All ' + choices.length + ' right.'
                : right + ' of ' + choices.length + ' right: see why under each choice.';
        form.querySelector('.question-source').hidden = false;
    }

    function clear(form) {
        for (const choice of form.querySelectorAll('.question-choice')) {
            choice.classList.remove('question-right', 'question-wrong');
            choice.querySelector('.question-feedback').hidden = true;
        }
        form.querySelector('.question-result').textContent = '';
        form.querySelector('.question-source').hidden = true;
    }

    function setUp() {
        for (const form of document.querySelectorAll('form.question')) {
            form.addEventListener('submit', function (event) {
                event.preventDefault();
                check(form);
            });
            form.querySelector('.question-check').addEventListener('click', function () {
                check(form);
            });
            for (const box of form.querySelectorAll('input[type="checkbox"]')) {
                box.addEventListener('change', function () {
                    clear(form);
                });
            }
        }
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', setUp);
    } else {
        setUp();
    }
})();
