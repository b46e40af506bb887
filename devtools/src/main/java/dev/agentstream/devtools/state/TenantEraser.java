package dev.agentstream.devtools.state;

import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Preconditions;

import dev.agentstream.job.OperatorIds;
import dev.agentstream.udfs.tenant.TenantNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;

/**
 * Writes a new savepoint that holds nothing of one tenant and everything else of the old one: every
 * keyed operator the tool knows is rewritten without the tenant's keys (values, TTL write times and
 * timers of the other keys as they were), the LLM-call stage without the tenant's turns in flight,
 * the DynamoDB sinks without the tenant's buffered requests, and every other operator is copied as
 * it is. The old savepoint is left untouched.
 *
 * <p>It refuses a savepoint with state in an operator it cannot clean (see {@link Layouts}), and a
 * tenant the savepoint holds nothing of.
 */
public final class TenantEraser {

    /**
     * What an erasure removed.
     *
     * @param threads thread-context keys of the tenant
     * @param conversations conversation-budget keys of the tenant
     * @param quotas quota keys of the tenant (0 or 1: its head, reservations and waiting turns)
     * @param inFlight turns of the tenant in flight in the LLM-call stage
     * @param usageWindows usage-totals keys of the tenant: one per minute window still in state
     * @param unbilledWindows those of them whose last total written (if any) did not count every
     *     usage record they hold: the job would have written their totals at its next flush
     * @param threadIndex thread-index keys of the tenant
     * @param bufferedWrites requests for the tenant's DynamoDB items that the sinks had not sent
     */
    public record Erased(
            int threads,
            int conversations,
            int quotas,
            int inFlight,
            int usageWindows,
            int unbilledWindows,
            int threadIndex,
            int bufferedWrites) {

        boolean nothing() {
            return threads
                            + conversations
                            + quotas
                            + inFlight
                            + usageWindows
                            + threadIndex
                            + bufferedWrites
                    == 0;
        }
    }

    private TenantEraser() {}

    public static Erased erase(Path savepoint, String tenant, Path out) throws Exception {
        Preconditions.checkArgument(TenantNames.isValid(tenant), "not a tenant name: %s", tenant);
        checkOut(savepoint, out);
        SortedSet<String> operators = SavepointInspector.operatorsWithState(savepoint);
        List<String> uncleanable =
                operators.stream()
                        .filter(
                                uid ->
                                        !Layouts.isErasable(uid)
                                                && !Layouts.isTenantFree(uid)
                                                && !Layouts.isKept(uid))
                        .toList();
        if (!uncleanable.isEmpty()) {
            throw new IllegalStateException(
                    "the savepoint has state in operators this tool cannot erase a tenant from: "
                            + uncleanable);
        }
        SavepointContents before = SavepointInspector.read(savepoint);
        List<KeyState> windows = before.keysOf(Layouts.USAGE_TOTALS, tenant);
        Erased erased =
                new Erased(
                        before.threads(Optional.of(tenant)).size(),
                        before.keysOf(Layouts.CONVERSATION_BUDGET, tenant).size(),
                        before.keysOf(Layouts.QUOTA, tenant).size(),
                        before.inFlight(tenant).size(),
                        windows.size(),
                        (int) windows.stream().filter(UsageWindowView::unbilled).count(),
                        before.keysOf(Layouts.THREAD_INDEX, tenant).size(),
                        before.bufferedWrites(tenant).size());
        if (erased.nothing()) {
            throw new IllegalArgumentException("the savepoint holds nothing of tenant " + tenant);
        }
        rewrite(savepoint, tenant, out, operators);
        return erased;
    }

    private static void rewrite(
            Path savepoint, String tenant, Path out, SortedSet<String> operators) throws Exception {
        String from = SavepointInspector.location(savepoint);
        StreamExecutionEnvironment env = StateEnvironments.forWriting(2);
        SavepointReader reader = SavepointReader.read(env, from, StateEnvironments.backend());
        SavepointWriter writer =
                SavepointWriter.fromExistingSavepoint(env, from, StateEnvironments.backend());
        for (KeyedLayout layout : Layouts.KEYED) {
            if (!operators.contains(layout.uid())) {
                continue;
            }
            DataStream<KeyState> kept =
                    reader.readKeyedState(
                                    layout.id(),
                                    new KeyStateReader(layout),
                                    Types.STRING,
                                    TypeInformation.of(KeyState.class))
                            .filter(new OtherTenantsKeys(layout, tenant));
            writer.removeOperator(layout.id())
                    .withOperator(
                            layout.id(),
                            OperatorTransformation.bootstrapWith(kept)
                                    .setMaxParallelism(maxParallelism(from, layout.uid()))
                                    .keyBy(key -> key.key, Types.STRING)
                                    .transform(new KeyStateWriter(layout)));
        }
        for (String uid : SinkBuffers.UIDS) {
            if (!operators.contains(uid)) {
                continue;
            }
            OperatorIdentifier sink = OperatorIdentifier.forUid(uid);
            DataStream<byte[]> kept =
                    SinkBuffers.raw(reader, uid)
                            .map(
                                    new SinkBuffers.WithoutTenant(tenant),
                                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
            writer.removeOperator(sink)
                    .withOperator(
                            sink,
                            OperatorTransformation.bootstrapWith(kept)
                                    .setMaxParallelism(maxParallelism(from, uid))
                                    .transform(new SinkBuffers.Writer()));
        }
        if (operators.contains(OperatorIds.LLM_CALL)) {
            DataStream<InFlightTurn> kept =
                    InFlightTurns.read(reader).filter(new OtherTenantsTurns(tenant));
            writer.removeOperator(InFlightTurns.LLM_CALL)
                    .withOperator(
                            InFlightTurns.LLM_CALL,
                            OperatorTransformation.bootstrapWith(kept)
                                    .setMaxParallelism(maxParallelism(from, OperatorIds.LLM_CALL))
                                    .transform(new InFlightTurns.Writer()));
        }
        writer.write(out.toAbsolutePath().toUri().toString());
        env.execute("agentstream-state erase-tenant");
    }

    private static int maxParallelism(String savepoint, String uid) throws Exception {
        for (OperatorState operator :
                SavepointLoader.loadSavepointMetadata(savepoint).getOperatorStates()) {
            if (operator.getOperatorID().equals(OperatorIdentifier.forUid(uid).getOperatorId())) {
                return operator.getMaxParallelism();
            }
        }
        throw new IllegalStateException("no operator " + uid + " in " + savepoint);
    }

    /**
     * Checks, before any work, that the new savepoint can go to {@code out}: an empty directory or
     * one that can be made, outside the old savepoint, which stays as it is.
     */
    private static void checkOut(Path savepoint, Path out) throws IOException {
        Path given = savepoint.toAbsolutePath().normalize();
        Path from = Files.isRegularFile(given) ? given.getParent() : given;
        Path to = out.toAbsolutePath().normalize();
        Preconditions.checkArgument(
                !to.startsWith(from), "%s is inside the savepoint it would replace", out);
        Preconditions.checkArgument(
                !Files.exists(to) || Files.isDirectory(to), "%s is not a directory", out);
        Preconditions.checkArgument(
                !Files.exists(to) || isEmptyDirectory(to), "%s exists and is not empty", out);
        try {
            Files.createDirectories(to);
        } catch (IOException e) {
            throw new IOException("cannot make the directory " + out, e);
        }
        Preconditions.checkArgument(Files.isWritable(to), "cannot write into %s", out);
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Keeps the keys of every tenant but one. */
    private record OtherTenantsKeys(KeyedLayout layout, String tenant)
            implements FilterFunction<KeyState> {
        @Override
        public boolean filter(KeyState key) {
            return !tenant.equals(layout.tenantOf(key.key));
        }
    }

    /** Keeps the turns in flight of every tenant but one. */
    private record OtherTenantsTurns(String tenant) implements FilterFunction<InFlightTurn> {
        @Override
        public boolean filter(InFlightTurn turn) {
            return !tenant.equals(turn.tenant);
        }
    }
}
