/**
 * What a Polygate plugin author codes against: the bundle manifest model and the guest-side
 * modules. This module has no Jetty and no Redis in it.
 */
package io.polygate.sdk;
