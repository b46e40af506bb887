package dev.agentstream.bench.stream;

import dev.agentstream.bench.harness.Comparison;
import dev.agentstream.bench.harness.Figure;
import dev.agentstream.bench.harness.Side;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A job-level comparison: sides that each run a job on the shared rig, and its own figures. */
final class StreamComparison implements Comparison {

    private final String name;
    private final String description;
    private final StreamRig rig;
    private final List<StreamSide> sides;
    private final List<Figure> figures;
    private final Map<String, Object> settings;

    StreamComparison(
            String name,
            String description,
            StreamRig rig,
            List<StreamSide> sides,
            List<Figure> figures,
            Map<String, Object> settings) {
        this.name = name;
        this.description = description;
        this.rig = rig;
        this.sides = sides;
        this.figures = figures;
        this.settings = new LinkedHashMap<>(settings);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<Side> sides() {
        return List.copyOf(sides);
    }

    List<StreamSide> streamSides() {
        return sides;
    }

    @Override
    public List<Figure> figures() {
        return figures;
    }

    @Override
    public String loop() {
        return "open";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> all = new LinkedHashMap<>(settings);
        for (StreamSide s : sides) {
            all.put(s.name() + ".job", s.settings().toString());
            all.put(s.name() + ".workload", s.workload().toString());
        }
        all.put("simulatorRequests", rig.simulator().requestCount());
        return all;
    }

    /** The simulator's threads; the job, the generator and the consumer are all the client. */
    @Override
    public Predicate<String> serverThreads() {
        return n -> n.startsWith("llm-sim-") || n.equals("HTTP-Dispatcher");
    }

    @Override
    public void close() throws Exception {
        rig.close();
    }
}
