package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks of the erase commands: none, and the stream idle. Commands have no event time, and a
 * stage they are broadcast to takes the lower of its inputs' watermarks: a command stream with no
 * watermarks would stop the event time of every stage it reaches (the usage windows would never
 * close), and one at the end of time would close every window as soon as the other input went idle.
 * An idle input is left out, so each stage's event time is its own input's.
 */
public final class CommandWatermarks<T> implements WatermarkGenerator<T> {

    private CommandWatermarks() {}

    /** For the control source, or any stream of commands. */
    public static <T> WatermarkStrategy<T> strategy() {
        return WatermarkStrategy.forGenerator(context -> new CommandWatermarks<>());
    }

    @Override
    public void onEvent(T command, long timestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.markIdle();
    }
}
