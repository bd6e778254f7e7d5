package io.polygate.limit;

/** {@link LimitsBehaviour} with the in-memory store. */
class MemoryLimitsIT extends LimitsBehaviour {
    @Override
    protected String storage() { return ""; }
}
