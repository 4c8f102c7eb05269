// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "./BalancerMath.sol";

/// @title BalancerMathHarness
/// @notice Deployable wrapper around `BalancerMath` for tests: it exposes the
/// constants, `bmul`, `bdiv`, `bpowi`, `bpow`, `bpowApprox` and every pricing
/// formula as public pure functions, without the pool's state.
contract BalancerMathHarness is BalancerMath {}
