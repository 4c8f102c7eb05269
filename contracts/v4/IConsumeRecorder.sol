// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title IConsumeRecorder
/// @notice What a V4 datatoken calls on its pool after each order, so that
/// the pool's trailing consume volume (the soft cap on vol:consume) counts
/// it. `PoolV4` implements it and accepts the call only from its datatoken.
interface IConsumeRecorder {
    /// @notice One order of exactly 1 datatoken has been paid.
    function recordConsume() external;
}
