package dev.agentstream.udfs.organism;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * An xml-pipeline organism as the job needs it: its name, its LLM settings and its listeners.
 * Immutable and serializable, so that it ships inside the job's functions.
 */
public record Organism(String name, LlmSettings llm, List<Listener> listeners)
        implements Serializable {

    public Organism {
        listeners = List.copyOf(listeners);
    }

    /** The listener with this name, if the organism declares one. */
    public Optional<Listener> listener(String listenerName) {
        return listeners.stream().filter(l -> l.name().equals(listenerName)).findFirst();
    }

    /** The listener whose payload root tag is {@code rootTag}, if any. */
    public Optional<Listener> listenerForRootTag(String rootTag) {
        return listeners.stream().filter(l -> l.rootTag().equals(rootTag)).findFirst();
    }

    /** True when {@code listenerName} is an LLM agent of this organism. */
    public boolean isAgent(String listenerName) {
        return listener(listenerName).map(Listener::agent).orElse(false);
    }
}
