package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks of the erase commands: always the end of time. Commands have no event time, and a
 * stage they are broadcast to takes the lower of its two inputs' watermarks: a command stream
 * without watermarks would stop the event time of every stage it reaches (the usage windows would
 * never close).
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
        output.emitWatermark(new Watermark(Long.MAX_VALUE));
    }
}
