package dev.agentstream.udfs.organism;

import java.io.Serializable;
import java.util.List;

/**
 * One entry of the organism's {@code listeners:} section. Only agents ({@code agent: true}) run
 * inside the job; the others are upstream handlers that talk to it over the bus, so their handler
 * path is recorded and never used.
 *
 * @param payloadClass dotted class path; its last segment is the payload's root tag
 */
public record Listener(
        String name,
        String payloadClass,
        String handler,
        String description,
        boolean agent,
        List<String> peers,
        String prompt)
        implements Serializable {

    public Listener {
        peers = List.copyOf(peers);
        description = description == null ? "" : description;
        prompt = prompt == null ? "" : prompt;
    }

    /** Root tag of the payloads this listener accepts: the last segment of its payload class. */
    public String rootTag() {
        int dot = payloadClass.lastIndexOf('.');
        return dot < 0 ? payloadClass : payloadClass.substring(dot + 1);
    }
}
