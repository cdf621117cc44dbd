package io.rtml.job.reliability;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything the given loggers write at INFO and above while it is open, kept in memory (and not in
 * the test log): what an operator's log would show.
 */
final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final StringBuilder text = new StringBuilder();
    private final List<String> loggers;
    private final LoggerContext context;

    private LogCapture(List<String> loggers) {
        super(
                "capture",
                null,
                PatternLayout.newBuilder().withPattern("%-5p %c - %m%n%throwable").build(),
                true,
                Property.EMPTY_ARRAY);
        this.loggers = loggers;
        this.context = (LoggerContext) LogManager.getContext(false);
    }

    static LogCapture start(String... loggers) {
        LogCapture capture = new LogCapture(List.of(loggers));
        capture.start();
        Configuration configuration = capture.context.getConfiguration();
        for (String name : loggers) {
            LoggerConfig logger =
                    LoggerConfig.newBuilder()
                            .withLoggerName(name)
                            .withLevel(Level.INFO)
                            .withAdditivity(false)
                            .withConfig(configuration)
                            .build();
            logger.addAppender(capture, Level.INFO, null);
            configuration.addLogger(name, logger);
        }
        capture.context.updateLoggers();
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        String line = new String(getLayout().toByteArray(event), StandardCharsets.UTF_8);
        synchronized (text) {
            text.append(line);
        }
    }

    String text() {
        synchronized (text) {
            return text.toString();
        }
    }

    @Override
    public void close() {
        Configuration configuration = context.getConfiguration();
        for (String name : loggers) {
            configuration.removeLogger(name);
        }
        context.updateLoggers();
        stop();
    }
}
