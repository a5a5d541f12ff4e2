"""Many transfers and issuances at once on the real database: the holdings always equal the
history, nobody is oversold, no deadlock."""

from __future__ import annotations

import asyncio
import random
import uuid

from shares import registers
from shares.domain.registers import Basis, ShareClass
from xiangzhi_shared.errors import InvalidState

from .helpers import ADMIN, company_with_holders, transfer


async def _shares(pool, register_id):
    rows = await pool.fetch("SELECT holder_party_id, shares FROM holding WHERE register_id=$1",
                            uuid.UUID(register_id))
    return {str(r[0]): r[1] for r in rows}


async def test_fifty_concurrent_transfers_from_one_holder_never_oversell(shares):
    reg, (seller, *buyers) = await company_with_holders(shares.pool, 6, shares=100)
    ops = [registers.transfer(shares.pool, ADMIN, transfer(reg, seller, buyers[i % 5], 10))
           for i in range(50)]
    results = await asyncio.gather(*ops, return_exceptions=True)
    ok = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(ok) == 10  # 100 shares, 10 at a time
    assert all(isinstance(r, InvalidState) for r in refused), refused
    held = await _shares(shares.pool, reg)
    assert held[seller] == 0
    assert sum(held.values()) == 600
    assert await shares.reconciles()


async def test_mixed_concurrent_transfers_and_issuances_keep_holdings_equal_to_history(shares):
    reg, holders = await company_with_holders(shares.pool, 5, shares=50)
    rnd = random.Random(42)
    ops, issued = [], 0
    for _ in range(60):
        if rnd.random() < 0.25:
            n = rnd.randint(1, 20)
            issued += n
            ops.append(registers.issue(shares.pool, ADMIN, registers.Issuance(
                register_id=reg, holder_id=rnd.choice(holders), share_class=ShareClass.CAPITAL,
                shares=n, basis=Basis.CASH, basis_value=f"{n}.00")))
        else:
            a, b = rnd.sample(holders, 2)
            ops.append(registers.transfer(shares.pool, ADMIN, transfer(reg, a, b,
                                                                       rnd.randint(1, 40))))
    results = await asyncio.gather(*ops, return_exceptions=True)
    unexpected = [r for r in results if isinstance(r, BaseException)
                  and not isinstance(r, InvalidState)]
    assert not unexpected, unexpected
    held = await _shares(shares.pool, reg)
    assert all(v >= 0 for v in held.values())
    assert sum(held.values()) == 250 + issued  # every issuance succeeded, transfers conserve
    assert await shares.reconciles()
    ledger_total = await shares.pool.fetchval(
        "SELECT sum(shares_delta) FROM ledger_line WHERE register_id=$1", uuid.UUID(reg))
    assert ledger_total == sum(held.values())
    # paid-in capital is conserved by transfers too
    paid = await shares.pool.fetchval(
        "SELECT sum(paid_in_fen) FROM holding WHERE register_id=$1", uuid.UUID(reg))
    assert paid == 5 * 500 * 100 + issued * 100
