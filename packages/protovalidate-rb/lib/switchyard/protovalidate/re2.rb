# frozen_string_literal: true

module Switchyard
  module Protovalidate
    # Regular expressions in RE2 syntax (string.pattern, CEL matches()) as Ruby (Onigmo) regexps
    # that match the same strings. The one place where the two dialects meet:
    #
    # - `^` and `$` are text anchors in RE2 (a line break does not end the text): `\A` and `\z`.
    # - `\x{HHHH}` and `\xHH` name code points in RE2: `\u{HHHH}` (Ruby's `\xHH` is a byte).
    # - `\s` is `[\t\n\f\r ]` in RE2 (Ruby's adds `\v`); `\pL` needs braces in Ruby.
    # - In a class, `[` and `&&` are literals in RE2 (Ruby nests and intersects): escaped.
    # - `(?P<name>` is `(?<name>`; the flag `s` is Ruby's `m`.
    #
    # What has no exact counterpart is refused with a CompilationError rather than translated
    # loosely: multi-line mode (`(?m)`), ungreedy mode (`(?U)`), `\b`, `\B`, `\Q...\E`, `\C`, `\S`
    # in a class, POSIX classes (`[[:alpha:]]`, ASCII in RE2, Unicode in Ruby), and what RE2 itself
    # rejects (look-around, back-references, possessive quantifiers). `\d` and `\w` are ASCII in
    # both.
    module RE2
      SIMPLE_ESCAPES = %w[t n r f v a d D w W A z].freeze
      SPACE = "\\t\\n\\f\\r "

      module_function

      # The Regexp for an RE2 pattern; CompilationError when it cannot be translated.
      def compile(pattern)
        Regexp.new(translate(pattern))
      rescue RegexpError => e
        raise CompilationError, "regular expression #{pattern.inspect}: #{e.message}"
      end

      # The Ruby regexp source for an RE2 pattern.
      def translate(pattern)
        Translation.new(pattern).run
      end

      # One translation, a left-to-right scan.
      class Translation
        def initialize(pattern)
          @src = pattern
          @i = 0
          @out = +""
        end

        def run
          while @i < @src.length
            ch = @src[@i]
            case ch
            when "\\" then @out << escape(false)
            when "[" then char_class
            when "^" then take("\\A")
            when "$" then take("\\z")
            when "(" then group
            when "*", "+", "?", "}" then quantifier(ch)
            else take(ch)
            end
          end
          @out
        end

        private

        def take(text, length = 1)
          @out << text
          @i += length
        end

        def refuse(what)
          raise CompilationError, "regular expression #{@src.inspect}: #{what} is not supported"
        end

        # RE2 has no possessive quantifiers: `a*+` is an error there, possessive in Ruby.
        def quantifier(ch)
          take(ch)
          refuse("a possessive quantifier") if @src[@i] == "+"
        end

        def group
          rest = @src[@i..]
          if rest.start_with?("(?P<")
            take("(?<", 4)
          elsif rest.match?(/\A\(\?<[A-Za-z_]/)
            take("(?<", 3)
          elsif rest.start_with?("(?:")
            take("(?:", 3)
          elsif (flags = rest[/\A\(\?([a-zA-Z-]*)[:)]/, 1])
            refuse("the flag #{flags.delete("is-")[0]}") unless flags.delete("is-").empty?
            take("(?#{flags.tr("s", "m")}", 2 + flags.length)
          elsif rest.start_with?("(?")
            refuse("#{rest[0, 3].inspect} (look-around, atomic group or comment)")
          else
            take("(")
          end
        end

        def char_class
          take("[")
          take("^") if @src[@i] == "^"
          first = true
          loop do
            refuse("an unterminated character class") if @i >= @src.length
            ch = @src[@i]
            if ch == "]" && !first
              take("]")
              return
            end
            first = false
            case ch
            when "\\" then @out << escape(true)
            when "["
              refuse("a POSIX class") if @src[@i + 1] == ":"
              take("\\[")
            when "&" then take("\\&")
            else take(ch)
            end
          end
        end

        # The escape at @i, translated; @i moves past it.
        def escape(in_class)
          nxt = @src[@i + 1]
          refuse("a trailing backslash") if nxt.nil?
          if nxt == "x"
            hex = @src[@i..][/\A\\x(\{[0-9A-Fa-f]{1,6}\}|[0-9A-Fa-f]{2})/, 1]
            refuse("a malformed \\x escape") if hex.nil?
            @i += 2 + hex.length
            code = hex.delete("{}")
            refuse("\\x#{hex} (beyond U+10FFFF)") if code.to_i(16) > 0x10FFFF
            return "\\u{#{code}}"
          end
          if nxt == "p" || nxt == "P"
            name = @src[@i..][/\A\\[pP](\{\^?[A-Za-z_]+\}|[A-Za-z])/, 1]
            refuse("a malformed \\p escape") if name.nil?
            @i += 2 + name.length
            return "\\#{nxt}#{name.start_with?("{") ? name : "{#{name}}"}"
          end
          @i += 2
          return "\\#{nxt}" if SIMPLE_ESCAPES.include?(nxt)
          return (in_class ? SPACE : "[#{SPACE}]") if nxt == "s"
          return "[^#{SPACE}]" if nxt == "S" && !in_class
          return "\\0" if nxt == "0" && !@src[@i].to_s.match?(/[0-7]/)
          return "\\#{nxt}" if nxt.match?(/[[:punct:] ]/) && nxt.ascii_only?

          refuse("\\#{nxt}")
        end
      end
    end
  end
end
