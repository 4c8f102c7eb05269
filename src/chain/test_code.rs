//! Tiny contracts in raw bytecode for the chain's own tests.

use crate::chain::{Backend, GOD};
use alloy_primitives::{Address, Bytes, U256};

/// Init code that returns `runtime` (under 256 bytes) as the contract's code.
pub(super) fn init_code(runtime: &[u8]) -> Vec<u8> {
    let len = u8::try_from(runtime.len()).expect("short code");
    let mut init = vec![0x60, len, 0x80, 0x60, 0x09, 0x5f, 0x39, 0x5f, 0xf3];
    init.extend_from_slice(runtime);
    init
}

/// Deploy `runtime`.
pub(super) fn deploy<B: Backend>(chain: &mut B, runtime: &[u8]) -> Address {
    chain.deploy_contract(GOD, init_code(runtime).into()).expect("deploy")
}

/// The word a contract returns for empty calldata.
pub(super) fn word<B: Backend>(chain: &mut B, at: Address) -> U256 {
    let output = chain.call(Address::ZERO, at, Bytes::new()).expect("call").into_output().expect("success");
    U256::from_be_slice(&output)
}

/// Have a [`STORE`] contract keep `value`.
pub(super) fn store_word<B: Backend>(chain: &mut B, at: Address, value: u64) {
    let data = Bytes::from(U256::from(value).to_be_bytes::<32>().to_vec());
    assert!(chain.transact(GOD, at, data, U256::ZERO).expect("store").is_success());
}

/// Empty calldata: return slot 0; else store the first calldata word in slot 0.
pub(super) const STORE: [u8; 20] = [
    0x36, 0x15, 0x60, 0x0a, 0x57, 0x5f, 0x35, 0x5f, 0x55, 0x00, 0x5b, 0x5f, 0x54, 0x5f, 0x52, 0x60, 0x20,
    0x5f, 0xf3, 0x00,
];

/// Return the block timestamp.
pub(super) const TIME: [u8; 7] = [0x42, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3];
