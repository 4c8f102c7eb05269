// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../v3/IERC20Minimal.sol";

/// @title LiquidityCommitments
/// @notice Liquidity commitments of one market, after Vega's Markets &
/// Liquidity tools. Market makers commit a stake (the quote token, held here)
/// with a fee bid; an operator closes each day with its notional volume and
/// open interest (`recordDay`). All amounts are quote-token base units and
/// all fractions 18-decimal fixed point (1e18 = 100%).
///
/// - Target stake = `targetStakeFactor` × the largest open interest of the
///   last `stakeTargetPeriod` recorded days.
/// - Liquidity fee = the bid at which the cumulative stake, walking the bids
///   from the lowest up, first reaches the target stake; the highest bid
///   when the total stake never reaches it; 0 with no commitment.
/// - A day's fees = that fee × the day's volume, taken from the operator as
///   the day is recorded (the fee in force is the one before the day's open
///   interest joins the history), and paid out at once.
/// - Equity-like shares: market value = max(volume of the last
///   `valuationPeriod` recorded days, total stake). A commitment's entry
///   valuation is the market value when it was made (the new stake counted);
///   its virtual stake is stake × market value / entry valuation, and its
///   share is its virtual stake over the sum of all virtual stakes. The
///   current market value cancels in the share: share ∝ stake / entry
///   valuation, so a stake committed while the market was small counts more.
///   Adding stake re-averages the entry valuation so that stake / entry
///   valuation grows by added / market value; removing stake keeps it.
/// - Obligation = `obligationFactor` × stake of notional quoted. A maker
///   sets the notional it quotes (`setQuotedNotional`); one quoting less than
///   its obligation when a day is recorded forfeits its share of that day's
///   fees, which stays here (`feesForfeited`); the others' shares are not
///   raised. Rounding: each share is rounded down and the last paid maker
///   (in commitment order) gets the remainder, so rewards paid + fees
///   forfeited = fees collected to the wei.
/// @dev At most MAX_MAKERS commitments and MAX_PERIOD_DAYS of look-back keep
/// every loop bounded.
contract LiquidityCommitments {
    uint256 private constant WAD = 1e18;
    /// @notice Most commitments at once.
    uint256 public constant MAX_MAKERS = 16;
    /// @notice Longest look-back of the target stake and of the market value, in days.
    uint256 public constant MAX_PERIOD_DAYS = 366;
    /// @notice Highest fee bid (10% of volume).
    uint256 public constant MAX_FEE_BID = WAD / 10;

    /// @notice The stake and fee token.
    IERC20Minimal public immutable quote;
    /// @notice Who records days and pays their fees.
    address public immutable operator;
    /// @notice Days of open interest the target stake looks back over.
    uint256 public immutable stakeTargetPeriod;
    /// @notice Target stake per unit of open interest (18 decimals).
    uint256 public immutable targetStakeFactor;
    /// @notice Days of volume the market value sums.
    uint256 public immutable valuationPeriod;
    /// @notice Notional a maker must quote per unit of stake (18 decimals).
    uint256 public immutable obligationFactor;

    struct Commitment {
        uint256 stake;
        uint256 feeBid;
        uint256 entryValuation;
        uint256 quotedNotional;
    }

    /// @notice Committed makers, in the order they committed.
    address[] public makers;
    mapping(address => Commitment) private _commitments;
    /// @notice Every fee paid to a maker since the start (kept after a withdrawal).
    mapping(address => uint256) public rewardsOf;

    uint256[] private _volumes;
    uint256[] private _openInterests;

    /// @notice Stake committed, summed over makers.
    uint256 public totalStake;
    /// @notice Every fee taken from the operator.
    uint256 public feesCollected;
    /// @notice Every fee paid to makers.
    uint256 public rewardsPaid;
    /// @notice Shares of fees forfeited by makers under their obligation (or with no maker).
    uint256 public feesForfeited;
    /// @notice The fee charged on the last recorded day.
    uint256 public lastFee;

    event Committed(address indexed maker, uint256 stake, uint256 feeBid, uint256 entryValuation);
    event Amended(address indexed maker, uint256 stake, uint256 feeBid, uint256 entryValuation);
    event Withdrawn(address indexed maker, uint256 stake);
    event DayRecorded(uint256 day, uint256 volume, uint256 openInterest, uint256 fee, uint256 fees);
    event RewardPaid(address indexed maker, uint256 day, uint256 amount);
    event Forfeited(address indexed maker, uint256 day, uint256 amount);

    modifier onlyOperator() {
        require(msg.sender == operator, "LP_NOT_OPERATOR");
        _;
    }

    modifier committed() {
        require(_commitments[msg.sender].stake > 0, "LP_NO_COMMITMENT");
        _;
    }

    constructor(
        IERC20Minimal quote_,
        address operator_,
        uint256 stakeTargetPeriod_,
        uint256 targetStakeFactor_,
        uint256 valuationPeriod_,
        uint256 obligationFactor_
    ) {
        require(address(quote_) != address(0) && operator_ != address(0), "LP_ZERO_ADDRESS");
        require(stakeTargetPeriod_ >= 1 && stakeTargetPeriod_ <= MAX_PERIOD_DAYS, "LP_BAD_STAKE_TARGET_PERIOD");
        require(valuationPeriod_ >= 1 && valuationPeriod_ <= MAX_PERIOD_DAYS, "LP_BAD_VALUATION_PERIOD");
        quote = quote_;
        operator = operator_;
        stakeTargetPeriod = stakeTargetPeriod_;
        targetStakeFactor = targetStakeFactor_;
        valuationPeriod = valuationPeriod_;
        obligationFactor = obligationFactor_;
    }

    // ---- makers ----

    /// @notice Commit `stake` (taken from the caller) with `feeBid`.
    function commit(uint256 stake, uint256 feeBid) external {
        require(_commitments[msg.sender].stake == 0, "LP_ALREADY_COMMITTED");
        require(stake > 0, "LP_ZERO_STAKE");
        require(feeBid <= MAX_FEE_BID, "LP_FEE_BID_TOO_HIGH");
        require(makers.length < MAX_MAKERS, "LP_TOO_MANY_MAKERS");
        require(quote.transferFrom(msg.sender, address(this), stake), "LP_TRANSFER");
        totalStake += stake;
        uint256 entry = marketValue();
        _commitments[msg.sender] = Commitment(stake, feeBid, entry, 0);
        makers.push(msg.sender);
        emit Committed(msg.sender, stake, feeBid, entry);
    }

    /// @notice Change the caller's stake (more is taken, less returned) and fee bid.
    function amend(uint256 stake, uint256 feeBid) external committed {
        require(stake > 0, "LP_ZERO_STAKE");
        require(feeBid <= MAX_FEE_BID, "LP_FEE_BID_TOO_HIGH");
        Commitment storage c = _commitments[msg.sender];
        uint256 old = c.stake;
        if (stake > old) {
            uint256 added = stake - old;
            require(quote.transferFrom(msg.sender, address(this), added), "LP_TRANSFER");
            totalStake += added;
            // stake / entry grows by added / market value: entry = stake / (old / entry + added / value).
            uint256 weight = (old * WAD) / c.entryValuation + (added * WAD) / marketValue();
            c.entryValuation = (stake * WAD) / weight;
        } else if (stake < old) {
            uint256 removed = old - stake;
            totalStake -= removed;
            require(quote.transfer(msg.sender, removed), "LP_TRANSFER");
        }
        c.stake = stake;
        c.feeBid = feeBid;
        emit Amended(msg.sender, stake, feeBid, c.entryValuation);
    }

    /// @notice End the caller's commitment and return its stake.
    function withdraw() external committed {
        uint256 stake = _commitments[msg.sender].stake;
        delete _commitments[msg.sender];
        totalStake -= stake;
        uint256 n = makers.length;
        for (uint256 i = 0; i < n; i++) {
            if (makers[i] == msg.sender) {
                // Shift the later ones down: commitment order is kept.
                for (uint256 j = i; j + 1 < n; j++) {
                    makers[j] = makers[j + 1];
                }
                makers.pop();
                break;
            }
        }
        require(quote.transfer(msg.sender, stake), "LP_TRANSFER");
        emit Withdrawn(msg.sender, stake);
    }

    /// @notice The notional the caller quotes on the book (checked against its obligation).
    function setQuotedNotional(uint256 notional) external committed {
        _commitments[msg.sender].quotedNotional = notional;
    }

    // ---- operator ----

    /// @notice Close a day: charge the liquidity fee on `volume` (taken from
    /// the operator), pay it out by equity-like share, then add the day's
    /// volume and open interest to the history.
    function recordDay(uint256 volume, uint256 openInterest) external onlyOperator returns (uint256 fees) {
        uint256 fee = liquidityFee();
        fees = (volume * fee) / WAD;
        uint256 day = _volumes.length;
        if (fees > 0) {
            require(quote.transferFrom(msg.sender, address(this), fees), "LP_TRANSFER");
            feesCollected += fees;
            _distribute(fees, day);
        }
        _volumes.push(volume);
        _openInterests.push(openInterest);
        lastFee = fee;
        emit DayRecorded(day, volume, openInterest, fee, fees);
    }

    function _distribute(uint256 fees, uint256 day) private {
        uint256 n = makers.length;
        uint256 total = _totalWeight();
        if (total == 0) {
            // Stakes too small against their entry valuations to weigh anything.
            feesForfeited += fees;
            emit Forfeited(address(0), day, fees);
            return;
        }
        // The last maker meeting its obligation takes the rounding remainder.
        uint256 last = n;
        for (uint256 i = n; i > 0; i--) {
            if (meetsObligation(makers[i - 1])) {
                last = i - 1;
                break;
            }
        }
        uint256 handed;
        for (uint256 i = 0; i < n; i++) {
            if (i == last) continue;
            address maker = makers[i];
            uint256 amount = (fees * _weight(maker)) / total;
            handed += amount;
            if (meetsObligation(maker)) {
                _pay(maker, amount, day);
            } else {
                feesForfeited += amount;
                emit Forfeited(maker, day, amount);
            }
        }
        if (last < n) {
            _pay(makers[last], fees - handed, day);
        } else {
            // Nobody met the obligation (or nobody is committed): all of it stays here.
            feesForfeited += fees - handed;
            emit Forfeited(address(0), day, fees - handed);
        }
    }

    function _pay(address maker, uint256 amount, uint256 day) private {
        if (amount == 0) return;
        rewardsOf[maker] += amount;
        rewardsPaid += amount;
        require(quote.transfer(maker, amount), "LP_TRANSFER");
        emit RewardPaid(maker, day, amount);
    }

    // ---- views ----

    /// @notice Days recorded so far.
    function daysRecorded() external view returns (uint256) {
        return _volumes.length;
    }

    /// @notice Committed makers now.
    function makerCount() external view returns (uint256) {
        return makers.length;
    }

    /// @notice The volume of recorded day `day` (from 0).
    function volumeOf(uint256 day) external view returns (uint256) {
        return _volumes[day];
    }

    /// @notice The open interest of recorded day `day` (from 0).
    function openInterestOf(uint256 day) external view returns (uint256) {
        return _openInterests[day];
    }

    /// @notice The last recorded day's volume (0 before any).
    function lastVolume() external view returns (uint256) {
        return _volumes.length == 0 ? 0 : _volumes[_volumes.length - 1];
    }

    /// @notice The last recorded day's open interest (0 before any).
    function lastOpenInterest() external view returns (uint256) {
        return _openInterests.length == 0 ? 0 : _openInterests[_openInterests.length - 1];
    }

    /// @notice The largest open interest of the last `stakeTargetPeriod` recorded days.
    function maxOpenInterest() public view returns (uint256 largest) {
        uint256 n = _openInterests.length;
        uint256 from = n > stakeTargetPeriod ? n - stakeTargetPeriod : 0;
        for (uint256 i = from; i < n; i++) {
            if (_openInterests[i] > largest) largest = _openInterests[i];
        }
    }

    /// @notice targetStakeFactor × maxOpenInterest.
    function targetStake() public view returns (uint256) {
        return (maxOpenInterest() * targetStakeFactor) / WAD;
    }

    /// @notice max(volume of the last `valuationPeriod` recorded days, total stake).
    function marketValue() public view returns (uint256) {
        uint256 n = _volumes.length;
        uint256 from = n > valuationPeriod ? n - valuationPeriod : 0;
        uint256 traded;
        for (uint256 i = from; i < n; i++) {
            traded += _volumes[i];
        }
        return traded > totalStake ? traded : totalStake;
    }

    /// @notice The fee now: the lowest bid whose cumulative stake (bids from
    /// the lowest up) reaches the target stake, else the highest bid; 0 with
    /// no commitment.
    function liquidityFee() public view returns (uint256) {
        uint256 n = makers.length;
        if (n == 0) return 0;
        uint256[] memory bids = new uint256[](n);
        uint256[] memory stakes = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            Commitment storage c = _commitments[makers[i]];
            // Insertion sort by bid, lowest first.
            uint256 j = i;
            while (j > 0 && bids[j - 1] > c.feeBid) {
                bids[j] = bids[j - 1];
                stakes[j] = stakes[j - 1];
                j--;
            }
            bids[j] = c.feeBid;
            stakes[j] = c.stake;
        }
        uint256 target = targetStake();
        uint256 cumulative;
        for (uint256 i = 0; i < n; i++) {
            cumulative += stakes[i];
            if (cumulative >= target) return bids[i];
        }
        return bids[n - 1];
    }

    /// @notice The fees a day of `volume` pays at the current fee.
    function feeFor(uint256 volume) external view returns (uint256) {
        return (volume * liquidityFee()) / WAD;
    }

    /// @notice `maker`'s stake (0 when not committed).
    function stakeOf(address maker) external view returns (uint256) {
        return _commitments[maker].stake;
    }

    /// @notice `maker`'s fee bid.
    function feeBidOf(address maker) external view returns (uint256) {
        return _commitments[maker].feeBid;
    }

    /// @notice `maker`'s entry valuation.
    function entryValuationOf(address maker) external view returns (uint256) {
        return _commitments[maker].entryValuation;
    }

    /// @notice The notional `maker` quotes.
    function quotedNotionalOf(address maker) external view returns (uint256) {
        return _commitments[maker].quotedNotional;
    }

    /// @notice obligationFactor × `maker`'s stake.
    function obligation(address maker) public view returns (uint256) {
        return (_commitments[maker].stake * obligationFactor) / WAD;
    }

    /// @notice Whether `maker` is committed and quotes at least its obligation.
    function meetsObligation(address maker) public view returns (bool) {
        Commitment storage c = _commitments[maker];
        return c.stake > 0 && c.quotedNotional >= obligation(maker);
    }

    /// @notice stake × market value / entry valuation.
    function virtualStake(address maker) external view returns (uint256) {
        Commitment storage c = _commitments[maker];
        return c.stake == 0 ? 0 : (c.stake * marketValue()) / c.entryValuation;
    }

    /// @notice `maker`'s equity-like share of fees (18 decimals).
    function equityShare(address maker) external view returns (uint256) {
        uint256 total = _totalWeight();
        return total == 0 ? 0 : (_weight(maker) * WAD) / total;
    }

    /// @notice stake / entry valuation (18 decimals): the share's weight.
    function _weight(address maker) private view returns (uint256) {
        Commitment storage c = _commitments[maker];
        return c.stake == 0 ? 0 : (c.stake * WAD) / c.entryValuation;
    }

    function _totalWeight() private view returns (uint256 total) {
        for (uint256 i = 0; i < makers.length; i++) {
            total += _weight(makers[i]);
        }
    }
}
