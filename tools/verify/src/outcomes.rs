//! Chapter 10's outcome tables, generated from runs.
