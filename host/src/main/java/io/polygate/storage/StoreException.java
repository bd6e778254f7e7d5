package io.polygate.storage;

/** The store could not be reached or answered with an error; the message says which store and why. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) { super(message, cause); }
}
