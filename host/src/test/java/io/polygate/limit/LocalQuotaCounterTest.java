package io.polygate.limit;

import io.polygate.limit.local.LocalQuotaCounter;

/** The quota contract for the in-memory counter. */
class LocalQuotaCounterTest extends QuotaCounterContract {
    @Override
    protected QuotaCounter counter() { return new LocalQuotaCounter(clock); }
}
