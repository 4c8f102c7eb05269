//! Tests of the expression language against the real embedded EVM.

mod chain;
mod host;
mod language;
mod random;
mod values;
