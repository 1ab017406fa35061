// Decision heatmap: P(class 1) from the network (a texture, bilinearly filtered) mapped
// to colour. Confidence shading: the further p is from 0.5, the more saturated the class
// colour. Optional discretization into bands. The same mapping is used by the legend
// and the Why panel (src/ui/theme.cpp, heatmap_colour).
in vec2 v_uv;
out vec4 frag_colour;
uniform sampler2D u_probability;   // R8, row 0 = y_min
uniform vec3 u_class0;
uniform vec3 u_class1;
uniform vec3 u_neutral;
uniform float u_bands;             // 0 = smooth, else number of bands per class
void main() {
  float p = texture(u_probability, v_uv).r;
  float confidence = min(1.0, abs(p - 0.5) * 2.0);
  if (u_bands > 0.0) confidence = ceil(confidence * u_bands) / u_bands;
  vec3 target = p < 0.5 ? u_class0 : u_class1;
  vec3 colour = mix(u_neutral, target, confidence * 0.75);
  // A thin dark line where p crosses 0.5: the decision boundary itself.
  float edge = 1.0 - smoothstep(0.0, fwidth(p) * 1.5 + 1e-4, abs(p - 0.5));
  frag_colour = vec4(mix(colour, vec3(0.15), edge * 0.8), 1.0);
}
