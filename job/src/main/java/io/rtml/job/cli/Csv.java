package io.rtml.job.cli;

import org.apache.commons.csv.CSVFormat;

/**
 * The CSV files the command line writes and reads (training sets, labels): RFC 4180 with one {@code
 * \n} between records. A value is quoted only where it must be (it holds a comma, a double quote or
 * a line break, or starts or ends with what a reader could take for layout), its double quotes
 * doubled, so files of plain ids read the same as before and any id survives the trip.
 */
final class Csv {
    static final CSVFormat FORMAT =
            CSVFormat.RFC4180.builder().setRecordSeparator('\n').setIgnoreEmptyLines(true).get();

    private Csv() {}
}
