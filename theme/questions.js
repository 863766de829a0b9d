// "Which of these can this program print?": see tools/verify/src/questions.rs.
