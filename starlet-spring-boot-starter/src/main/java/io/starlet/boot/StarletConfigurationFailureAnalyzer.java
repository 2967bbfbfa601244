package io.starlet.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link StarletConfigurationException} into Boot's "APPLICATION FAILED TO START" report. */
class StarletConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<StarletConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, StarletConfigurationException cause) {
		String description = cause.getDescription();
		if (cause.getCause() != null) {
			description += " Cause: " + cause.getCause().getMessage();
		}
		return new FailureAnalysis(description, cause.getAction(), cause);
	}

}
