package dev.agentstream.devtools.state;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import dev.agentstream.job.OperatorIds;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;

/**
 * Reads what a savepoint of the job holds of its tenants, with the State Processor API on a local
 * batch environment: one job that reads every keyed operator the tool knows ({@link
 * Layouts#KEYED}), the turns in flight and the DynamoDB sinks' buffered requests.
 */
public final class SavepointInspector {

    private SavepointInspector() {}

    public static SavepointContents read(Path savepoint) throws Exception {
        return read(savepoint, 2);
    }

    public static SavepointContents read(Path savepoint, int parallelism) throws Exception {
        SortedSet<String> operators = operatorsWithState(savepoint);
        StreamExecutionEnvironment env = StateEnvironments.forReading(parallelism);
        SavepointReader reader =
                SavepointReader.read(env, location(savepoint), StateEnvironments.backend());
        Map<String, CloseableIterator<KeyState>> keys = new LinkedHashMap<>();
        for (KeyedLayout layout : Layouts.KEYED) {
            if (operators.contains(layout.uid())) {
                keys.put(layout.uid(), keys(reader, layout));
            }
        }
        CloseableIterator<InFlightTurn> inFlight =
                operators.contains(OperatorIds.LLM_CALL)
                        ? InFlightTurns.read(reader).collectAsync()
                        : null;
        DataStream<BufferedWrite> writes = null;
        for (String uid : SinkBuffers.UIDS) {
            if (operators.contains(uid)) {
                DataStream<BufferedWrite> sink = SinkBuffers.read(reader, uid);
                writes = writes == null ? sink : writes.union(sink);
            }
        }
        CloseableIterator<BufferedWrite> buffered = writes == null ? null : writes.collectAsync();
        if (keys.isEmpty() && inFlight == null && buffered == null) {
            return new SavepointContents(operators, Map.of(), List.of(), List.of());
        }
        List<CloseableIterator<?>> all = new ArrayList<>(keys.values());
        all.add(inFlight);
        all.add(buffered);
        JobClient job = env.executeAsync("agentstream-state read " + savepoint.getFileName());
        try {
            Map<String, List<KeyState>> read = new LinkedHashMap<>();
            keys.forEach((uid, it) -> read.put(uid, drain(it)));
            SavepointContents contents =
                    new SavepointContents(operators, read, drain(inFlight), drain(buffered));
            job.getJobExecutionResult().get();
            return contents;
        } catch (RuntimeException | ExecutionException e) {
            throw new IOException("cannot read the state files of the savepoint " + savepoint, e);
        } finally {
            closeAll(all);
        }
    }

    /**
     * The uids of the operators that hold state in the savepoint; an operator the job does not know
     * shows as its operator id in hex.
     */
    public static SortedSet<String> operatorsWithState(Path savepoint) throws Exception {
        CheckpointMetadata metadata;
        try {
            metadata = SavepointLoader.loadSavepointMetadata(location(savepoint));
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read the savepoint's _metadata in " + savepoint, e);
        }
        Map<OperatorID, String> known = new HashMap<>();
        for (String uid : OperatorIds.ALL) {
            known.put(OperatorIdentifier.forUid(uid).getOperatorId(), uid);
            String committer = Layouts.committerUid(uid);
            known.put(OperatorIdentifier.forUid(committer).getOperatorId(), committer);
        }
        SortedSet<String> out = new TreeSet<>();
        for (OperatorState operator : metadata.getOperatorStates()) {
            if (operator.getStateSize() == 0 && operator.getCoordinatorState() == null) {
                continue;
            }
            String uid =
                    operator.getOperatorUid()
                            .filter(u -> !u.isEmpty())
                            .orElseGet(
                                    () ->
                                            known.getOrDefault(
                                                    operator.getOperatorID(),
                                                    operator.getOperatorID().toHexString()));
            out.add(uid);
        }
        return out;
    }

    /** The savepoint directory as the State Processor API takes it. */
    static String location(Path savepoint) {
        return savepoint.toAbsolutePath().toUri().toString();
    }

    private static CloseableIterator<KeyState> keys(SavepointReader reader, KeyedLayout layout)
            throws Exception {
        return reader.readKeyedState(
                        layout.id(),
                        new KeyStateReader(layout),
                        Types.STRING,
                        TypeInformation.of(KeyState.class))
                .collectAsync();
    }

    private static <T> List<T> drain(CloseableIterator<T> it) {
        List<T> out = new ArrayList<>();
        if (it != null) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static void closeAll(List<CloseableIterator<?>> iterators) throws Exception {
        for (CloseableIterator<?> it : iterators) {
            if (it != null) {
                it.close();
            }
        }
    }
}
