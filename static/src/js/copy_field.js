odoo.define('crm_opportunity_suite.copy_field', function (require) {
"use strict";

var basicFields = require('web.basic_fields');
var core = require('web.core');
var fieldRegistry = require('web.field_registry');

var _t = core._t;

/**
 * A read-only text field with a "Copy" button (the opportunity's drop address).
 */
var CopyChar = basicFields.FieldChar.extend({
    _renderReadonly: function () {
        this._super.apply(this, arguments);
        if (!this.value) {
            return;
        }
        var self = this;
        var $button = $('<button type="button" class="btn btn-default btn-xs o_cos_copy"/>')
            .text(_t("Copy"))
            .css('margin-left', '8px');
        $button.on('click', function (event) {
            event.preventDefault();
            event.stopPropagation();
            var $text = $('<textarea/>').val(self.value)
                .css({position: 'absolute', left: '-9999px'}).appendTo(document.body);
            $text[0].select();
            document.execCommand('copy');
            $text.remove();
            self.do_notify(_t("Copied"), self.value);
        });
        this.$el.append($button);
    },
});

fieldRegistry.add('cos_copy', CopyChar);

return CopyChar;
});
