//! KECCAK256 of two words (a mapping's slot: key, then the mapping's slot
//! or an inner hash) answered from a per-thread table of earlier results.
//! Contracts hash the same few thousand keys all run long (balances,
//! allowances, pool records), and a table lookup is several times cheaper
//! than the permutation. Only the hash is remembered: gas, stack and memory
//! follow the instruction exactly, and anything other than an in-memory
//! 64-byte input goes to revm's own instruction.

use alloy_primitives::map::HashMap;
use alloy_primitives::{keccak256, B256, U256};
use revm::bytecode::opcode;
use revm::interpreter::instructions::{self, Instruction, InstructionTable};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::{Host, InstructionContext, InstructionExecResult};
use std::cell::RefCell;

/// Inputs remembered at most per thread; past it the table starts over.
const MAX_ENTRIES: usize = 1 << 15;

thread_local! {
    static HASHES: RefCell<HashMap<[u8; 64], B256>> = RefCell::new(HashMap::default());
}

/// Make `table`'s KECCAK256 remember the hashes of 64-byte inputs.
pub(super) fn remember_keccak<H: Host>(table: &mut InstructionTable<EthInterpreter, H>) {
    table[usize::from(opcode::KECCAK256)] = Instruction::new(keccak_two_words::<H>);
}

/// The hash of `input`, from the table or computed and kept.
fn hash_of(input: &[u8; 64]) -> B256 {
    HASHES.with_borrow_mut(|hashes| {
        if let Some(hash) = hashes.get(input) {
            return *hash;
        }
        if hashes.len() >= MAX_ENTRIES {
            hashes.clear();
        }
        *hashes.entry(*input).or_insert_with(|| keccak256(input))
    })
}

fn keccak_two_words<H: Host>(ctx: InstructionContext<'_, H, EthInterpreter>) -> InstructionExecResult {
    let stack = &ctx.interpreter.stack;
    let (Ok(offset), Ok(len)) = (stack.peek(0), stack.peek(1)) else {
        return instructions::system::keccak256(ctx);
    };
    let in_memory = usize::try_from(offset).ok().filter(|&from| {
        len == U256::from(64) && from.checked_add(64).is_some_and(|end| end <= ctx.interpreter.memory.len())
    });
    // Only the per-word cost is left to charge: the memory is there already.
    let Some(from) = in_memory
        .filter(|_| ctx.interpreter.gas.record_regular_cost(ctx.host.gas_params().keccak256_cost(64)))
    else {
        return instructions::system::keccak256(ctx);
    };
    let mut input = [0u8; 64];
    input.copy_from_slice(&ctx.interpreter.memory.slice_len(from, 64));
    let hash = hash_of(&input);
    let _ = ctx.interpreter.stack.pop();
    if let Some(top) = ctx.interpreter.stack.top() {
        *top = hash.into();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::hash_of;
    use crate::chain::test_code::{deploy, init_code};
    use crate::chain::{Backend, Chain, RawEvm, GOD};
    use alloy_primitives::{keccak256, Address, Bytes, TxKind, B256};

    #[test]
    fn remembered_hashes_are_keccak256() {
        for seed in 0u8..50 {
            let input: [u8; 64] = std::array::from_fn(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed));
            assert_eq!(hash_of(&input), keccak256(input));
            assert_eq!(hash_of(&input), keccak256(input), "a second look-up");
        }
    }

    /// Code hashing a two-word input in memory (the memo's case), a two-word
    /// input that grows memory and a one-word input (revm's instruction),
    /// returning the three hashes with a zero word after the first.
    fn hashing_code(a: B256, b: B256) -> Vec<u8> {
        let mut code = vec![0x7f];
        code.extend_from_slice(a.as_slice());
        code.extend_from_slice(&[0x5f, 0x52, 0x7f]); // mstore(0, a)
        code.extend_from_slice(b.as_slice());
        code.extend_from_slice(&[0x60, 0x20, 0x52]); // mstore(32, b)
        code.extend_from_slice(&[0x60, 0x40, 0x5f, 0x20, 0x60, 0x40, 0x52]); // mstore(64, keccak(0, 64))
        code.extend_from_slice(&[0x60, 0x40, 0x60, 0x40, 0x20, 0x60, 0x80, 0x52]); // mstore(128, keccak(64, 64))
        code.extend_from_slice(&[0x60, 0x20, 0x5f, 0x20, 0x60, 0xa0, 0x52]); // mstore(160, keccak(0, 32))
        code.extend_from_slice(&[0x60, 0x80, 0x60, 0x40, 0xf3]); // return(64, 128)
        code
    }

    #[test]
    fn the_chain_hashes_as_revm_with_the_same_gas() {
        let (a, b) = (keccak256("a"), keccak256("b"));
        let code = hashing_code(a, b);
        let mut chain = Chain::new();
        let at = deploy(&mut chain, &code);
        let mut raw = RawEvm::new();
        let (ok, raw_at) = raw.transact(GOD, TxKind::Create, init_code(&code).into());
        let raw_at = raw_at.filter(|_| ok).expect("deployed on bare revm");
        let h1 = keccak256([a.as_slice(), b.as_slice()].concat());
        let h2 = keccak256([h1.as_slice(), &[0u8; 32]].concat());
        let expected = [h1.as_slice(), &[0u8; 32], h2.as_slice(), keccak256(a).as_slice()].concat();
        // Twice: the second time every two-word hash comes from the memo.
        for _ in 0..2 {
            let receipt = chain.call(Address::ZERO, at, Bytes::new()).expect("call");
            let gas = receipt.gas_used;
            let output = receipt.into_output().expect("success");
            assert_eq!(output.as_ref(), expected.as_slice());
            let (raw_output, raw_gas) =
                raw.call(Address::ZERO, raw_at, Bytes::new()).expect("bare revm call");
            assert_eq!(output, raw_output, "the same hashes as bare revm");
            assert_eq!(gas, raw_gas, "the same gas as bare revm");
        }
    }
}
