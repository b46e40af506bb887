package dev.agentstream.udfs.organism;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * One entry of the organism's {@code listeners:} section. Only agents ({@code agent: true}) run
 * inside the job; the others are upstream handlers that talk to it over the bus, so their handler
 * path is recorded and never used.
 *
 * @param payloadClass dotted class path; its last segment is the payload's root tag
 * @param cacheTtl how long an agent's answers are kept in the response cache ({@code cache: true},
 *     {@code cache_ttl:} seconds, our additions); zero when the agent does not cache
 */
public record Listener(
        String name,
        String payloadClass,
        String handler,
        String description,
        boolean agent,
        List<String> peers,
        String prompt,
        Duration cacheTtl)
        implements Serializable {

    public Listener {
        peers = List.copyOf(peers);
        cacheTtl = cacheTtl == null ? Duration.ZERO : cacheTtl;
        description = description == null ? "" : description;
        prompt = prompt == null ? "" : prompt;
    }

    /** True when the agent's answers may come from the response cache. */
    public boolean caches() {
        return !cacheTtl.isZero();
    }

    /** Root tag of the payloads this listener accepts: the last segment of its payload class. */
    public String rootTag() {
        int dot = payloadClass.lastIndexOf('.');
        return dot < 0 ? payloadClass : payloadClass.substring(dot + 1);
    }
}
