package org.funduslens.model;

/** One label of a bundle with the probability the model gives it. */
public record Diagnosis(int index, String code, String name, double probability) {}
