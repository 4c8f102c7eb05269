// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title TwoMakerMarket
/// @notice The market of the two-market-maker game ("Market Based Mechanisms
/// for Incentivising Exchange Liquidity Provision", section 4): two makers
/// each hold a stake, the market charges one fee. The game is played in
/// steps: in each step both makers choose a move simultaneously, -1, 0 or +1
/// (`moveStake`), then the clock (`advance`) applies both at once. A maker's
/// stake moves by `move` times its direction, clipped to [0, maxStake]; when
/// both makers move the same way a (+1 or -1), the fee moves by -gamma * a,
/// clipped to [0, 1]: more liquidity, lower fee; less, higher. A maker that
/// did not move in a step stays put. After `steps` steps the game is over.
/// @dev Stakes, fee, move and gamma are 18-decimal fixed point. Volumes and
/// gains need exp and are computed off chain from these values (the
/// simulator's `two_makers` model). Stakes are accounting units: no token
/// changes hands.
contract TwoMakerMarket {
    uint256 private constant WAD = 1e18;

    /// @notice Maker 0 and maker 1.
    address public immutable maker0;
    address public immutable maker1;
    /// @notice The account that advances the market a step.
    address public immutable clock;
    /// @notice Stake change of one move, WAD.
    uint256 public immutable move;
    /// @notice Fee change when both makers move the same way, WAD.
    uint256 public immutable gamma;
    /// @notice Largest stake, WAD.
    uint256 public immutable maxStake;
    /// @notice Steps in the game.
    uint256 public immutable steps;

    /// @notice Steps played so far.
    uint256 public step;
    /// @notice The market fee, WAD (0.1e18 is 10%).
    uint256 public fee;
    uint256[2] private stakes;
    int8[2] private pending;
    bool[2] private moved;

    /// @notice A maker chose its move for the current step.
    event Moved(uint256 indexed step, uint256 indexed maker, int8 direction);
    /// @notice A step was played: the stakes and fee after it.
    event Stepped(uint256 indexed step, uint256 stake0, uint256 stake1, uint256 fee);

    error NotMaker(address who);
    error NotClock(address who);
    error GameOver(uint256 step);
    error AlreadyMoved(uint256 maker, uint256 step);
    error BadDirection(int8 direction);
    error BadSetting(string what);

    constructor(
        address maker0_,
        address maker1_,
        address clock_,
        uint256 move_,
        uint256 gamma_,
        uint256 maxStake_,
        uint256 steps_,
        uint256 stake0,
        uint256 stake1,
        uint256 fee_
    ) {
        if (maker0_ == maker1_) revert BadSetting("the two makers are one account");
        if (stake0 > maxStake_ || stake1 > maxStake_) revert BadSetting("a starting stake above maxStake");
        if (fee_ > WAD) revert BadSetting("a starting fee above 1");
        if (gamma_ > WAD) revert BadSetting("gamma above 1");
        maker0 = maker0_;
        maker1 = maker1_;
        clock = clock_;
        move = move_;
        gamma = gamma_;
        maxStake = maxStake_;
        steps = steps_;
        stakes = [stake0, stake1];
        fee = fee_;
    }

    /// @notice Maker `i`'s stake, WAD.
    function stake(uint256 i) external view returns (uint256) {
        return stakes[i];
    }

    /// @notice The move maker `i` chose for the current step (0 if none yet).
    function pendingMove(uint256 i) external view returns (int8) {
        return pending[i];
    }

    /// @notice Choose the sender's move for the current step: -1, 0 or +1.
    function moveStake(int8 direction) external {
        if (step >= steps) revert GameOver(step);
        if (direction < -1 || direction > 1) revert BadDirection(direction);
        uint256 i;
        if (msg.sender == maker0) i = 0;
        else if (msg.sender == maker1) i = 1;
        else revert NotMaker(msg.sender);
        if (moved[i]) revert AlreadyMoved(i, step);
        moved[i] = true;
        pending[i] = direction;
        emit Moved(step, i, direction);
    }

    /// @notice Apply both makers' moves at once and end the step.
    function advance() external {
        if (msg.sender != clock) revert NotClock(msg.sender);
        if (step >= steps) revert GameOver(step);
        int8 a0 = pending[0];
        int8 a1 = pending[1];
        stakes[0] = shifted(stakes[0], a0, move, maxStake);
        stakes[1] = shifted(stakes[1], a1, move, maxStake);
        if (a0 == a1 && a0 != 0) fee = shifted(fee, -a0, gamma, WAD);
        pending = [int8(0), int8(0)];
        moved = [false, false];
        step += 1;
        emit Stepped(step, stakes[0], stakes[1], fee);
    }

    /// @dev `value` moved by `direction` times `by`, clipped to [0, cap].
    function shifted(uint256 value, int8 direction, uint256 by, uint256 cap) private pure returns (uint256) {
        if (direction > 0) return value + by > cap ? cap : value + by;
        if (direction < 0) return value > by ? value - by : 0;
        return value;
    }
}
