package org.funduslens.model;

/**
 * The part of the source image that the network saw, in source pixel coordinates (fractional where the resize
 * does not divide evenly). Heatmaps are placed here; outside it the model has no opinion.
 */
public record CropRegion(double x, double y, double width, double height) {}
