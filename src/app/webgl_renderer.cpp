// webgl_renderer.cpp: Dear ImGui's draw data on WebGL2, with no GL state read back (the header
// says why).
#include "app/webgl_renderer.h"

#include <GLES3/gl3.h>

#include <cstddef>
#include <cstdint>

namespace scalecalc::app {
namespace {

// Attribute locations are fixed in the vertex shader, so none is looked up.
constexpr GLuint kPositionAttribute = 0;
constexpr GLuint kUvAttribute = 1;
constexpr GLuint kColorAttribute = 2;

constexpr const char* kVertexShader = R"(#version 300 es
uniform vec4 u_pixels_to_clip;  // xy: scale, zw: offset
layout(location = 0) in vec2 a_position;
layout(location = 1) in vec2 a_uv;
layout(location = 2) in vec4 a_color;
out vec2 v_uv;
out vec4 v_color;
void main() {
  v_uv = a_uv;
  v_color = a_color;
  gl_Position = vec4(a_position * u_pixels_to_clip.xy + u_pixels_to_clip.zw, 0.0, 1.0);
}
)";

// The one texture the UI draws with is the font atlas, uploaded as a single coverage channel
// (a quarter of the bytes of RGBA). highp: a phone's mediump would blur the atlas coordinates.
constexpr const char* kFragmentShader = R"(#version 300 es
precision highp float;
uniform sampler2D u_font;
in vec2 v_uv;
in vec4 v_color;
out vec4 out_color;
void main() {
  out_color = vec4(v_color.rgb, v_color.a * texture(u_font, v_uv).r);
}
)";

struct Renderer {
  GLuint program = 0;
  GLint pixels_to_clip = -1;  // uniform location
  GLuint vertex_array = 0;
  GLuint vertex_buffer = 0;
  GLuint index_buffer = 0;
  GLuint font_texture = 0;
};
Renderer renderer;

GLuint CompiledShader(GLenum kind, const char* source) {
  const GLuint shader = glCreateShader(kind);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  return shader;
}

std::string ShaderLog(GLuint shader) {
  GLint length = 0;
  glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
  std::string log(static_cast<size_t>(length > 0 ? length : 0), '\0');
  if (length > 0) glGetShaderInfoLog(shader, length, nullptr, log.data());
  return log.c_str();  // without the terminating zero
}

std::string ProgramLog(GLuint program) {
  GLint length = 0;
  glGetProgramiv(program, GL_INFO_LOG_LENGTH, &length);
  std::string log(static_cast<size_t>(length > 0 ? length : 0), '\0');
  if (length > 0) glGetProgramInfoLog(program, length, nullptr, log.data());
  return log.c_str();
}

GLuint TextureName(ImTextureID texture) {
  return static_cast<GLuint>(reinterpret_cast<intptr_t>(texture));
}

// Every piece of state the draw depends on, set outright: nothing else draws in this context.
void SetDrawState(const ImDrawData& draw_data, int framebuffer_width_px,
                  int framebuffer_height_px) {
  glViewport(0, 0, framebuffer_width_px, framebuffer_height_px);
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_STENCIL_TEST);
  glEnable(GL_SCISSOR_TEST);
  glUseProgram(renderer.program);
  // Display coordinates (origin at DisplayPos, y down) to clip space (y up).
  const float scale_x = 2.0f / draw_data.DisplaySize.x;
  const float scale_y = -2.0f / draw_data.DisplaySize.y;
  const float pixels_to_clip[4] = {scale_x, scale_y, -1.0f - draw_data.DisplayPos.x * scale_x,
                                   1.0f - draw_data.DisplayPos.y * scale_y};
  glUniform4fv(renderer.pixels_to_clip, 1, pixels_to_clip);
  glActiveTexture(GL_TEXTURE0);  // u_font's default unit
  glBindVertexArray(renderer.vertex_array);
  glBindBuffer(GL_ARRAY_BUFFER, renderer.vertex_buffer);
}

}  // namespace

std::string InitWebGlRenderer() {
  renderer = Renderer{};  // after a lost context, its objects went with it
  ImGuiIO& io = ImGui::GetIO();
  io.BackendRendererName = "scalecalc_webgl2";
  const GLuint vertex_shader = CompiledShader(GL_VERTEX_SHADER, kVertexShader);
  const GLuint fragment_shader = CompiledShader(GL_FRAGMENT_SHADER, kFragmentShader);
  renderer.program = glCreateProgram();
  glAttachShader(renderer.program, vertex_shader);
  glAttachShader(renderer.program, fragment_shader);
  glLinkProgram(renderer.program);
  // The one read-back: a failed compile also fails the link, so one status covers all three.
  GLint linked = GL_FALSE;
  glGetProgramiv(renderer.program, GL_LINK_STATUS, &linked);
  if (linked != GL_TRUE) {
    return "the UI's shaders did not compile: " + ShaderLog(vertex_shader) +
           ShaderLog(fragment_shader) + ProgramLog(renderer.program);
  }
  glDeleteShader(vertex_shader);  // kept alive by the program
  glDeleteShader(fragment_shader);
  renderer.pixels_to_clip = glGetUniformLocation(renderer.program, "u_pixels_to_clip");

  glGenVertexArrays(1, &renderer.vertex_array);
  glBindVertexArray(renderer.vertex_array);
  glGenBuffers(1, &renderer.vertex_buffer);
  glGenBuffers(1, &renderer.index_buffer);
  glBindBuffer(GL_ARRAY_BUFFER, renderer.vertex_buffer);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, renderer.index_buffer);  // part of the vertex array
  const auto stride = static_cast<GLsizei>(sizeof(ImDrawVert));
  const auto offset = [](size_t bytes) { return reinterpret_cast<const void*>(bytes); };
  glEnableVertexAttribArray(kPositionAttribute);
  glEnableVertexAttribArray(kUvAttribute);
  glEnableVertexAttribArray(kColorAttribute);
  glVertexAttribPointer(kPositionAttribute, 2, GL_FLOAT, GL_FALSE, stride,
                        offset(offsetof(ImDrawVert, pos)));
  glVertexAttribPointer(kUvAttribute, 2, GL_FLOAT, GL_FALSE, stride,
                        offset(offsetof(ImDrawVert, uv)));
  glVertexAttribPointer(kColorAttribute, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride,
                        offset(offsetof(ImDrawVert, col)));
  glBindVertexArray(0);
  return "";
}

void UploadFontAtlas() {
  ImGuiIO& io = ImGui::GetIO();
  unsigned char* coverage = nullptr;
  int width = 0, height = 0;
  io.Fonts->GetTexDataAsAlpha8(&coverage, &width, &height);  // builds the atlas if needed
  if (renderer.font_texture == 0) glGenTextures(1, &renderer.font_texture);
  glBindTexture(GL_TEXTURE_2D, renderer.font_texture);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);  // rows of single bytes
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, width, height, 0, GL_RED, GL_UNSIGNED_BYTE, coverage);
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(renderer.font_texture)));
}

void DrawImGuiData(const ImDrawData& draw_data, int framebuffer_width_px,
                   int framebuffer_height_px) {
  if (framebuffer_width_px <= 0 || framebuffer_height_px <= 0 || draw_data.DisplaySize.x <= 0 ||
      draw_data.DisplaySize.y <= 0)
    return;
  SetDrawState(draw_data, framebuffer_width_px, framebuffer_height_px);
  const ImVec2 clip_offset = draw_data.DisplayPos;
  const ImVec2 clip_scale = draw_data.FramebufferScale;
  const GLenum index_type = sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT;
  GLuint bound_texture = 0;
  for (int n = 0; n < draw_data.CmdListsCount; ++n) {
    const ImDrawList& list = *draw_data.CmdLists[n];
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(list.VtxBuffer.size_in_bytes()),
                 list.VtxBuffer.Data, GL_STREAM_DRAW);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(list.IdxBuffer.size_in_bytes()),
                 list.IdxBuffer.Data, GL_STREAM_DRAW);
    for (const ImDrawCmd& command : list.CmdBuffer) {
      if (command.UserCallback != nullptr) {
        if (command.UserCallback == ImDrawCallback_ResetRenderState) {
          SetDrawState(draw_data, framebuffer_width_px, framebuffer_height_px);
          bound_texture = 0;
        } else {
          command.UserCallback(&list, &command);
        }
        continue;
      }
      // The clip rectangle in framebuffer pixels; GL's scissor counts rows from the bottom.
      const float min_x = (command.ClipRect.x - clip_offset.x) * clip_scale.x;
      const float min_y = (command.ClipRect.y - clip_offset.y) * clip_scale.y;
      const float max_x = (command.ClipRect.z - clip_offset.x) * clip_scale.x;
      const float max_y = (command.ClipRect.w - clip_offset.y) * clip_scale.y;
      if (max_x <= min_x || max_y <= min_y) continue;
      glScissor(static_cast<GLint>(min_x), static_cast<GLint>(framebuffer_height_px - max_y),
                static_cast<GLsizei>(max_x - min_x), static_cast<GLsizei>(max_y - min_y));
      const GLuint texture = TextureName(command.GetTexID());
      if (texture != bound_texture) {
        glBindTexture(GL_TEXTURE_2D, texture);
        bound_texture = texture;
      }
      glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(command.ElemCount), index_type,
                     reinterpret_cast<const void*>(command.IdxOffset * sizeof(ImDrawIdx)));
    }
  }
  glDisable(GL_SCISSOR_TEST);
  glBindVertexArray(0);
}

}  // namespace scalecalc::app
