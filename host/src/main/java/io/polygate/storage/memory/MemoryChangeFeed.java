package io.polygate.storage.memory;

import io.polygate.storage.ChangeFeed;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process {@link ChangeFeed}: for a {@link MemoryStore} (one node, every write goes through
 * the store), and the stand-in where the store cannot carry notices (Redis Cluster).
 */
public final class MemoryChangeFeed implements ChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryChangeFeed.class);

    private record Sub(String match, boolean prefix, Consumer<String> listener) {}

    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "change-feed");
        t.setDaemon(true);
        return t;
    });

    private final boolean seesKeys;

    public MemoryChangeFeed(MemoryStore store) {
        store.onChange(this::keyChanged);
        this.seesKeys = true;
    }

    /** A feed for this process only, which sees no key changes. */
    public MemoryChangeFeed() {
        this.seesKeys = false;
    }

    private void keyChanged(String key) {
        for (Sub s : subs) if (s.prefix && key.startsWith(s.match)) deliver(s, key);
    }

    private void deliver(Sub s, String value) {
        thread.execute(() -> {
            try {
                s.listener.accept(value);
            } catch (RuntimeException e) {
                LOG.warn("change listener for {} failed: {}", s.match, e.toString(), e);
            }
        });
    }

    @Override
    public void publish(String topic, String message) {
        for (Sub s : subs) if (!s.prefix && s.match.equals(topic)) deliver(s, message);
    }

    @Override
    public AutoCloseable subscribe(String topic, Consumer<String> listener) {
        Sub s = new Sub(topic, false, listener);
        subs.add(s);
        return () -> subs.remove(s);
    }

    @Override
    public AutoCloseable watchKeys(String prefix, Consumer<String> listener) {
        Sub s = new Sub(prefix, true, listener);
        subs.add(s);
        return () -> subs.remove(s);
    }

    @Override public void onReconnect(Runnable action) { }

    @Override public boolean seesExternalWrites() { return seesKeys; }

    @Override public void close() { thread.shutdownNow(); }
}
