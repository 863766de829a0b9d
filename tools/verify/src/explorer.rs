//! The schedule explorer's graphs (see the format below).
