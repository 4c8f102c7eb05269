//! What the protocol-neutral revert reasons mean: ERC-20 messages (the
//! project's `contracts/tokens/ERC20.sol` and OpenZeppelin's, as strings or
//! as v5 custom errors), Solidity panics and reverts without data. Reasons a
//! protocol raises are explained by its model ([`crate::models::Model::explain_revert`]).
//!
//! Reasons are matched exactly as run.json counts them (the revert label:
//! the message, `panic 0x11`, a custom error's name); an unknown one is `None`.

/// `(reasons, meaning)` of reasons any token or contract can raise; the
/// reasons of one row are the same failure in different ERC-20 versions.
const EXPLANATIONS: &[(&[&str], &str)] = &[
    (
        &[
            "ERC20: insufficient balance",
            "ERC20: transfer amount exceeds balance",
            "ERC20InsufficientBalance",
        ],
        "A token transfer moved more than the sender held: the agent (or the contract paying \
         out) did not have the tokens the action needed.",
    ),
    (
        &[
            "ERC20: insufficient allowance",
            "ERC20: transfer amount exceeds allowance",
            "ERC20InsufficientAllowance",
        ],
        "A contract tried to pull more tokens than the owner had approved it to spend.",
    ),
    (
        &["ERC20: transfer to zero address", "ERC20: transfer to the zero address", "ERC20InvalidReceiver"],
        "A token transfer named the zero address as receiver.",
    ),
    (&["ERC20: mint to zero address"], "A mint named the zero address as receiver."),
    (
        &["ERC20: burn exceeds balance", "ERC20: burn amount exceeds balance"],
        "A burn destroyed more tokens than the holder had.",
    ),
    (&["panic 0x1"], "A Solidity `assert` failed: a condition the contract treats as impossible."),
    (&["panic 0x11"], "Arithmetic overflow or underflow (checked arithmetic, Solidity 0.8+)."),
    (&["panic 0x12"], "Division or modulo by zero."),
    (&["panic 0x32"], "An array was read or written out of its bounds."),
    (
        &["revert without reason"],
        "The contract reverted without a message (a bare `revert()` or `require(condition)`, or \
         a call to a function the contract lacks); `tsp run --trace` shows the call.",
    ),
];

/// The meaning of `reason` when it is not protocol-specific.
pub(crate) fn explain_core_revert(reason: &str) -> Option<&'static str> {
    EXPLANATIONS.iter().find(|(known, _)| known.contains(&reason)).map(|(_, meaning)| *meaning)
}
