package dev.agentstream.bench.stream;

import org.apache.flink.api.common.JobID;

import dev.agentstream.bench.harness.RoundPlan;
import dev.agentstream.bench.harness.RoundResult;
import dev.agentstream.bench.harness.Side;
import dev.agentstream.devtools.load.LatencySnapshot;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.time.Duration;
import java.util.DoubleSummaryStatistics;
import java.util.HashMap;
import java.util.Map;

/**
 * One side of a job-level comparison: a round submits its job on fresh topics, sends its workload
 * with the load generator, waits for every answer on the bus (or the round's time: for a workload
 * offered at a rate at least twice its sending time, {@link Workload#roundLimit}), reads the
 * round's usage records and operator load, and cancels the job.
 *
 * <p>Throughput is the steady rate of answers: answers between the 10th and the 90th percentile of
 * the round's count over the time between them, which leaves out the job's start and the last
 * checkpoint's commit. Answers are counted as the job writes them (read uncommitted), so that a
 * rate is the job's and not the checkpoints'; a side that measures visible latency reads them
 * committed, as a client of the bus would. Latency runs from the {@code sent-at} the generator
 * wrote to the answer being read, so only for sides that offer at a rate. A backlog round may end
 * at its time with part of the backlog unread; an offered round counts every envelope left
 * unanswered as an error.
 */
final class StreamSide implements Side {

    private static final Duration USAGE_WAIT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 100;
    private static final Duration IDLE_SAMPLE = Duration.ofSeconds(2);

    private final String name;
    private final String description;
    private final StreamRig rig;
    private final JobUnderTest job;
    private final JobSettings settings;
    private final Workload workload;
    private final Duration simulatorLatency;
    private final boolean committedLatency;
    private Path profileDir;
    private int round;

    StreamSide(
            String name,
            String description,
            StreamRig rig,
            JobUnderTest job,
            JobSettings settings,
            Workload workload,
            Duration simulatorLatency) {
        this(name, description, rig, job, settings, workload, simulatorLatency, false);
    }

    /**
     * A side that counts answers as the job writes them ({@code committedLatency} false: its rate
     * is the job's, not the checkpoints'), or as a reader of the bus sees them, committed.
     */
    StreamSide(
            String name,
            String description,
            StreamRig rig,
            JobUnderTest job,
            JobSettings settings,
            Workload workload,
            Duration simulatorLatency,
            boolean committedLatency) {
        this.committedLatency = committedLatency;
        this.name = name;
        this.description = description;
        this.rig = rig;
        this.job = job;
        this.settings = settings;
        this.workload = workload;
        this.simulatorLatency = simulatorLatency;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    /** Records a JFR profile of every round's measured phase into {@code dir}. */
    StreamSide profiledInto(Path dir) {
        this.profileDir = dir;
        return this;
    }

    JobUnderTest job() {
        return job;
    }

    JobSettings settings() {
        return settings;
    }

    Workload workload() {
        return workload;
    }

    @Override
    public void open() {}

    @Override
    public RoundResult runRound(RoundPlan plan) throws Exception {
        rig.simulator().setLatency(simulatorLatency);
        Duration limit = workload.roundLimit(plan.duration());
        Duration historyLimit = workload.historyLimit(plan.duration());
        Topics topics = rig.newTopics(name, settings.parallelism());
        long seed = ++round * 1_000_003L + name.hashCode();
        Load load =
                new Load(
                        rig.bootstrapServers(),
                        job.inputTopic(topics),
                        workload,
                        seed,
                        rig.tokens());
        JobID id = null;
        Timeline timeline = null;
        Profile profile = null;
        try (AnswerWatch answers =
                new AnswerWatch(
                        rig.bootstrapServers(),
                        job.answerTopic(topics),
                        job.inputTopic(topics),
                        BenchOrganism.CLIENT,
                        job.answersAreCopies(),
                        committedLatency)) {
            long before = load.historyAnswers();
            if (before > 0) {
                id = rig.submit(job.build(rig, topics, settings));
                load.sendHistory(historyLimit);
                if (!answers.awaitAnswered(before, historyLimit)) {
                    throw new IllegalStateException("the history phase was not answered");
                }
            }
            // What the idle job burns (checkpoints, polling): taken off a slow round's CPU.
            double idleNanosPerSecond =
                    before > 0 ? idleCpu(new ProcessCpu(rig.broker().pid())) : 0;
            long measuredSince = System.currentTimeMillis();
            if (workload.preload()) {
                load.sendBacklog(limit);
            }
            ProcessCpu cpu = new ProcessCpu(rig.broker().pid());
            long[] cpuBefore = cpu.sample();
            long start = System.nanoTime();
            long base = before;
            timeline = new Timeline(() -> answers.answered() - base);
            if (id == null) {
                id = rig.submit(job.build(rig, topics, settings));
            }
            // After the job's start: the profile is of its work, not of its tasks opening.
            profile =
                    profileDir == null
                            ? null
                            : Profile.start(profileDir.resolve(name + "-" + round + ".jfr"));
            if (!workload.preload()) {
                load.startSending(workload.rate());
            }
            Map<String, Double> vertexLoad = watch(id, answers, before, limit);
            if (profile != null) {
                profile.close();
                profile = null;
            }
            long[] cpuAfter = cpu.sample();
            load.finish(limit);
            timeline.close();
            Map<String, Double> extras = new HashMap<>(vertexLoad);
            extras.put("elapsedSeconds", (System.nanoTime() - start) / 1e9);
            extras.put("sent", (double) load.sent());
            long measured = answers.answered() - before;
            extras.put("answered", (double) measured);
            LatencySnapshot seen = answers.snapshot();
            if (seen.inputVisible().getTotalCount() > 0) {
                // How long the inputs took to become readable at the answers' isolation level.
                extras.put("inputReadableP50Ms", seen.inputVisibleMillis(50));
                extras.put("inputReadableP99Ms", seen.inputVisibleMillis(99));
            }
            double answered = Math.max(1, measured);
            long jvmNanos = cpuAfter[0] - cpuBefore[0];
            extras.put("jvmCpuMicrosPerAnswer", jvmNanos / 1e3 / answered);
            if (before > 0) {
                double seconds = (System.nanoTime() - start) / 1e9;
                double aboveIdle = Math.max(0, jvmNanos - idleNanosPerSecond * seconds);
                extras.put("jvmCpuMicrosPerAnswerAboveIdle", aboveIdle / 1e3 / answered);
                extras.put("idleJvmCpuMillisPerSecond", idleNanosPerSecond / 1e6);
            }
            if (cpuBefore[1] >= 0 && cpuAfter[1] >= 0) {
                extras.put(
                        "brokerCpuMicrosPerAnswer", (cpuAfter[1] - cpuBefore[1]) / 1e3 / answered);
            }
            if (job instanceof FullJob) {
                UsageTally usage =
                        UsageTally.read(
                                rig.bootstrapServers(),
                                topics.usage(),
                                measured,
                                USAGE_WAIT,
                                measuredSince);
                extras.putAll(usage.extras());
            }
            return result(answers, before, timeline.steadyRate()).withExtras(extras);
        } finally {
            if (timeline != null) {
                timeline.close();
            }
            if (profile != null) {
                profile.close();
            }
            if (id != null) {
                rig.cancel(id);
            }
            load.close();
        }
    }

    /** This JVM's CPU nanoseconds per second over two seconds in which nothing is sent. */
    private static double idleCpu(ProcessCpu cpu) throws InterruptedException {
        long[] from = cpu.sample();
        long start = System.nanoTime();
        Thread.sleep(IDLE_SAMPLE.toMillis());
        long[] to = cpu.sample();
        return (to[0] - from[0]) / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Waits until every answer came or time is up, sampling the operators' load every second and
     * once more at the end if the round was shorter than that; the mean busy and back-pressured
     * milliseconds per second of each vertex's busiest subtask over the samples that had them (NaN:
     * the cluster had not reported it yet).
     */
    private Map<String, Double> watch(JobID id, AnswerWatch answers, long before, Duration limit)
            throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        long nextLoad = start + 1_000_000_000L;
        Map<String, DoubleSummaryStatistics> busy = new HashMap<>();
        Map<String, DoubleSummaryStatistics> backPressured = new HashMap<>();
        boolean sampled = false;
        while (answers.answered() - before < workload.envelopes() && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
            if (System.nanoTime() >= nextLoad) {
                nextLoad += 1_000_000_000L;
                sampleLoad(id, busy, backPressured);
                sampled = true;
            }
        }
        if (!sampled) {
            sampleLoad(id, busy, backPressured);
        }
        Map<String, Double> out = new HashMap<>();
        busy.forEach((vertex, stats) -> out.put("busyMsPerS:" + vertex, mean(stats)));
        backPressured.forEach(
                (vertex, stats) -> out.put("backPressuredMsPerS:" + vertex, mean(stats)));
        return out;
    }

    /** Adds each vertex's busy and back-pressured time now, where reported, to its statistics. */
    private void sampleLoad(
            JobID id,
            Map<String, DoubleSummaryStatistics> busy,
            Map<String, DoubleSummaryStatistics> backPressured)
            throws Exception {
        for (JobMetrics.VertexLoad v : JobMetrics.load(rig.rest(), id).values()) {
            DoubleSummaryStatistics b =
                    busy.computeIfAbsent(v.name(), k -> new DoubleSummaryStatistics());
            DoubleSummaryStatistics p =
                    backPressured.computeIfAbsent(v.name(), k -> new DoubleSummaryStatistics());
            if (!Double.isNaN(v.busyMax())) {
                b.accept(v.busyMax());
            }
            if (!Double.isNaN(v.backPressuredMax())) {
                p.accept(v.backPressuredMax());
            }
        }
    }

    private static double mean(DoubleSummaryStatistics stats) {
        return stats.getCount() == 0 ? Double.NaN : stats.getAverage();
    }

    private RoundResult result(AnswerWatch answers, long before, double rate) {
        Histogram latencyMicros = answers.latencies();
        long answered = answers.answered() - before;
        // A backlog round ends at its time with what is left unread: that is not an error.
        long missing =
                workload.preload()
                        ? (answered == 0 ? workload.envelopes() : 0)
                        : Math.max(0, workload.envelopes() - answered);
        LatencySnapshot seen = answers.snapshot();
        long errors = missing + seen.answeredMoreThanOnce() + seen.errorAnswers();
        String firstError =
                errors == 0
                        ? ""
                        : missing
                                + " unanswered, "
                                + seen.answeredMoreThanOnce()
                                + " answered twice, "
                                + seen.errorAnswers()
                                + " answered with an error";
        long elapsed = rate > 0 ? (long) (answered * 1e9 / rate) : 0;
        boolean timed = latencyMicros.getTotalCount() > 0 && !workload.preload();
        // Latency is end to end as the side counts answers: read uncommitted it leaves the
        // checkpoint's commit out.
        return new RoundResult(
                answered,
                errors,
                firstError,
                elapsed,
                timed ? latencyMicros.getValueAtPercentile(50) * 1000 : 0,
                timed ? latencyMicros.getValueAtPercentile(99) * 1000 : 0,
                timed ? latencyMicros.getMaxValue() * 1000 : 0,
                timed ? latencyMicros.getMean() * 1000 : 0,
                Map.of());
    }

    @Override
    public void close() {}
}
