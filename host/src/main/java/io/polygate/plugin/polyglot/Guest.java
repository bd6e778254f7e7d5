package io.polygate.plugin.polyglot;

import io.polygate.plugin.HookCall;
import io.polygate.sdk.manifest.HookRef;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

/** One context of a bundle's pool, its watchdog slot, and the guest function of each hook of the manifest (it takes a {@link HookCall}). */
record Guest(Context context, HookWatchdog.Slot slot, Map<HookRef, Value> hooks) {}
