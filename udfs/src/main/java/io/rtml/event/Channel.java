package io.rtml.event;

import java.util.Locale;

/** Where a card transaction took place. Written in events as its lower-case name. */
public enum Channel {
    POS,
    ONLINE,
    ATM;

    /** The name producers write: {@code pos}, {@code online} or {@code atm}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The channel with this wire name, or {@code null} when there is none. */
    public static Channel fromWireName(String name) {
        for (Channel channel : values()) {
            if (channel.wireName().equals(name)) {
                return channel;
            }
        }
        return null;
    }
}
