package dev.agentstream.devtools.load;

/**
 * A thread the generator starts.
 *
 * @param index its place among the fresh threads of the run, from 0
 * @param id its thread UUID, derived from the plan's seed and {@code index}
 * @param tenant its tenant's name
 * @param content the fresh thread whose payloads it carries: its own index, or for a duplicate the
 *     index of the earlier thread it replays
 */
public record FreshThread(long index, String id, String tenant, long content) {

    /** True when the thread replays an earlier one. */
    public boolean duplicate() {
        return content != index;
    }
}
