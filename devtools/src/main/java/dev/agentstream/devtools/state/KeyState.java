package dev.agentstream.devtools.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a keyed operator holds for one key: every stored value of its states and its timers. A
 * Flink POJO.
 */
public class KeyState {

    /** The key, e.g. {@code acme/6f1c2a9e-...}. */
    public String key;

    public StateEntry[] entries = new StateEntry[0];
    public long[] processingTimers = new long[0];
    public long[] eventTimers = new long[0];

    public KeyState() {}

    /** The entries of the state {@code name}. */
    public List<StateEntry> entriesOf(String name) {
        List<StateEntry> out = new ArrayList<>();
        for (StateEntry entry : entries) {
            if (entry.state.equals(name)) {
                out.add(entry);
            }
        }
        return out;
    }
}
