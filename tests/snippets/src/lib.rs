//! Nothing here: the tests are generated from the chapters by `build.rs`.
