package dev.agentstream.devtools.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Decides each fresh thread of a run, the same way for the same seed: its id (a name-based UUID of
 * the seed and its index), its tenant, and whether it is a duplicate.
 *
 * <p>Thread 0 is an original; every later one is a duplicate with probability {@code
 * duplicateFraction}. A duplicate replays an original picked uniformly among the originals before
 * it: same tenant, same agent, the same prefill and agent payloads in the same order, under its own
 * thread id. Its first agent envelope therefore gives the agent a byte-identical prompt (the job's
 * prompt holds the tenant's agent prompt and the thread's payloads, never the thread id), which an
 * agent with {@code cache: true} may answer from the response cache. Later turns of a duplicate
 * match only while the model's answers do. Originals take the tenants round robin.
 */
public final class FreshThreads {

    private final long seed;
    private final double duplicateFraction;
    private final List<String> tenants;
    private final SplittableRandom random;
    private long[] originals = new long[16];
    private int originalCount;
    private long next;

    public FreshThreads(LoadPlan plan) {
        this(plan.seed(), plan.duplicateFraction(), plan.tenantNames());
    }

    FreshThreads(long seed, double duplicateFraction, List<String> tenants) {
        this.seed = seed;
        this.duplicateFraction = duplicateFraction;
        this.tenants = List.copyOf(tenants);
        this.random = new SplittableRandom(seed);
    }

    /** The next fresh thread. */
    public FreshThread next() {
        long index = next++;
        boolean duplicate = originalCount > 0 && random.nextDouble() < duplicateFraction;
        if (duplicate) {
            int pick = random.nextInt(originalCount);
            return new FreshThread(index, threadId(index), tenantOf(pick), originals[pick]);
        }
        if (originalCount == originals.length) {
            originals = Arrays.copyOf(originals, originals.length * 2);
        }
        String tenant = tenantOf(originalCount);
        originals[originalCount++] = index;
        return new FreshThread(index, threadId(index), tenant, index);
    }

    private String tenantOf(int original) {
        return tenants.get(original % tenants.size());
    }

    private String threadId(long index) {
        String name = "agentstream-load/" + seed + "/thread/" + index;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
