odoo.define('crm_opportunity_suite.color_picker', function (require) {
"use strict";

var AbstractField = require('web.AbstractField');
var core = require('web.core');
var fieldRegistry = require('web.field_registry');

var _t = core._t;

// Odoo's palette: the colours of many2many_tags' and the kanban cards' colour pickers.
var COLORS = 12;

/**
 * An integer colour field (0-11) picked from Odoo's palette, the way Odoo 11 picks the colour
 * of a tag (many2many_tags) or of a kanban card: twelve swatches, the first one "no colour".
 * Odoo 11 has no such widget for a form or a list. Read-only: the chosen swatch.
 */
var ColorPicker = AbstractField.extend({
    className: 'o_cos_color_picker',
    supportedFieldTypes: ['integer'],
    events: _.extend({}, AbstractField.prototype.events, {
        'click .o_cos_colorpicker a': '_onPick',
    }),

    isSet: function () {
        return true;
    },

    _title: function (color) {
        return color === 0 ? _t("No colour") : _.str.sprintf(_t("Colour %s"), color);
    },

    _render: function () {
        var self = this;
        var current = this.value || 0;
        this.$el.empty();
        if (this.mode === 'readonly') {
            this.$el.append($('<span class="o_cos_swatch"/>')
                .addClass('o_tag_color_' + current)
                .attr('data-color', current)
                .attr('title', this._title(current)));
            return;
        }
        var $list = $('<ul class="o_cos_colorpicker"/>');
        _.each(_.range(COLORS), function (color) {
            $('<li/>').toggleClass('o_cos_selected', color === current).append(
                $('<a href="#"/>').addClass('o_tag_color_' + color)
                    .attr('data-color', color)
                    .attr('title', self._title(color))
                    .attr('aria-label', self._title(color))
            ).appendTo($list);
        });
        this.$el.append($list);
    },

    _onPick: function (event) {
        event.preventDefault();
        event.stopPropagation();
        this._setValue(String($(event.currentTarget).data('color')));
    },
});

fieldRegistry.add('cos_color_picker', ColorPicker);

return ColorPicker;
});
