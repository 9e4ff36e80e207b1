//! mysql replay tests.

#[allow(unused_imports)]
use super::*;
