//! "Which of these can this program print?": questions whose key comes from the explored outcomes.
